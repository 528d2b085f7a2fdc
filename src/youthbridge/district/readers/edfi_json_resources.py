"""What each Ed-Fi API resource contributes, one function per resource file.

Field names follow the Ed-Fi ODS/API v7 resources of Data Standard 5. Each
function takes one resource object and returns its raw row in the order of
`SCHEMAS[table]` (the reader adds provenance). Values are kept as text: numbers
are written without a trailing `.0`, booleans as `true` and `false`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from youthbridge.district.canonical import FILE_COLUMN, LINE_COLUMN
from youthbridge.district.readers.edfi_tables import CONTACT_COLUMNS, CONTACTS

Resource = dict[str, Any]

# The raw frame of student-education organization associations.
DETAILS = "student_details"
_DETAIL_COLUMNS = (
    "student_id", "sex", "_hispanic", "_races", "street", "city", "state", "zip",
    "phone", "language",
)  # fmt: skip


def _schema(*names: str) -> dict[str, pl.DataType]:
    types: dict[str, pl.DataType] = {
        "_races": pl.List(pl.String()),
        "_instructional": pl.Boolean(),
    }
    schema = {name: types.get(name, pl.String()) for name in names}
    return {**schema, FILE_COLUMN: pl.String(), LINE_COLUMN: pl.Int64()}


SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "schools": _schema("school_id", "name", "level", "zip"),
    "students": _schema(
        "student_id", "first_name", "middle_name", "last_name", "birth_date"
    ),
    DETAILS: _schema(*_DETAIL_COLUMNS),
    CONTACTS: _schema("guardian_id", *CONTACT_COLUMNS),
    "guardians": _schema(
        "guardian_id", "student_id", "relation", "legal_guardian", "lives_with"
    ),
    "enrollments": _schema(
        "student_id", "school_id", "grade", "entry_date", "exit_date"
    ),
    "calendar_days": _schema("school_id", "date", "_instructional"),
    "attendance": _schema("student_id", "school_id", "date", "status", "_duration"),
    "incidents": _schema(
        "incident_id", "school_id", "date", "reported_to_law_enforcement"
    ),
    "incident_behaviors": _schema("incident_id", "school_id", "student_id", "behavior"),
    "discipline_actions": _schema(
        "action_id", "student_id", "school_id", "incident_id", "date", "action", "days"
    ),
    "grades": _schema(
        "student_id", "school_id", "school_year", "course", "term", "letter",
        "numeric", "_grade_type",
    ),
}  # fmt: skip


def text(value: object) -> str | None:
    """A JSON scalar as canonical text; objects and lists give None."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _get(resource: Resource, *keys: str) -> str | None:
    value: object = resource
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return text(value)


def _items(resource: Resource, key: str) -> list[Resource]:
    items = resource.get(key)
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


def _named(value: str | None) -> str | None:
    # The category a descriptor names, for text columns such as a state.
    return value.rsplit("#", 1)[-1].strip() if value else value


def _pick(items: list[Resource], key: str, preferred: tuple[str, ...]) -> Resource:
    # The first item whose `key` names one of `preferred`, else the first.
    for item in items:
        if _named(text(item.get(key))) in preferred:
            return item
    return items[0] if items else {}


def _address(resource: Resource, preferred: tuple[str, ...]) -> tuple[str | None, ...]:
    chosen = _pick(_items(resource, "addresses"), "addressTypeDescriptor", preferred)
    street = _get(chosen, "streetNumberName")
    suite = _get(chosen, "apartmentRoomSuiteNumber")
    if street and suite:
        street = f"{street}, {suite}"
    return (
        street,
        _get(chosen, "city"),
        _named(_get(chosen, "stateAbbreviationDescriptor")),
        _get(chosen, "postalCode"),
    )


def _phone(resource: Resource) -> str | None:
    phones = _items(resource, "telephones")
    return _get(_pick(phones, "orderOfPriority", ("1",)), "telephoneNumber")


def _language(resource: Resource) -> str | None:
    languages = _items(resource, "languages")
    home = [
        language
        for language in languages
        if any(
            _named(_get(use, "languageUseDescriptor")) == "Home language"
            for use in _items(language, "uses")
        )
    ]
    chosen = (home or languages or [{}])[0]
    return _named(_get(chosen, "languageDescriptor"))


def school(resource: Resource) -> tuple[object, ...]:
    """schools: identifier, name, first category, physical address's zip."""
    categories = _items(resource, "schoolCategories")
    category = _get(categories[0], "schoolCategoryDescriptor") if categories else None
    physical = _pick(
        _items(resource, "addresses"), "addressTypeDescriptor", ("Physical",)
    )
    return (
        _get(resource, "schoolId"),
        _get(resource, "nameOfInstitution"),
        category,
        _get(physical, "postalCode"),
    )


def student(resource: Resource) -> tuple[object, ...]:
    """students: identifier, names and birth date."""
    return (
        _get(resource, "studentUniqueId"),
        _get(resource, "firstName"),
        _get(resource, "middleName"),
        _get(resource, "lastSurname"),
        _get(resource, "birthDate"),
    )


def student_details(resource: Resource) -> tuple[object, ...]:
    """studentEducationOrganizationAssociations: sex, race, address, phone."""
    races = [_get(race, "raceDescriptor") for race in _items(resource, "races")]
    return (
        _get(resource, "studentReference", "studentUniqueId"),
        _get(resource, "sexDescriptor"),
        _get(resource, "hispanicLatinoEthnicity"),
        [race for race in races if race],
        *_address(resource, ("Home", "Physical")),
        _phone(resource),
        _language(resource),
    )


def contact(resource: Resource) -> tuple[object, ...]:
    """contacts: a parent or other contact and how to reach them."""
    emails = _items(resource, "electronicMails")
    street, city, state, zip_code = _address(resource, ("Home", "Physical"))
    return (
        _get(resource, "contactUniqueId"),
        _get(resource, "firstName"),
        _get(resource, "lastSurname"),
        _phone(resource),
        _get(emails[0], "electronicMailAddress") if emails else None,
        street,
        city,
        state,
        zip_code,
        _language(resource),
    )


def student_contact(resource: Resource) -> tuple[object, ...]:
    """studentContactAssociations: who a contact is to a student."""
    return (
        _get(resource, "contactReference", "contactUniqueId"),
        _get(resource, "studentReference", "studentUniqueId"),
        _get(resource, "relationDescriptor"),
        _get(resource, "legalGuardian"),
        _get(resource, "livesWith"),
    )


def enrollment(resource: Resource) -> tuple[object, ...]:
    """studentSchoolAssociations: entry, exit and entry grade at a school."""
    return (
        _get(resource, "studentReference", "studentUniqueId"),
        _get(resource, "schoolReference", "schoolId"),
        _get(resource, "entryGradeLevelDescriptor"),
        _get(resource, "entryDate"),
        _get(resource, "exitWithdrawDate"),
    )


def calendar_date(resource: Resource) -> tuple[object, ...]:
    """calendarDates: a school's date, flagged when it is an instructional day."""
    events = _items(resource, "calendarEvents")
    instructional = any(
        (_named(_get(event, "calendarEventDescriptor")) or "").lower()
        == "instructional day"
        for event in events
    )
    return (
        _get(resource, "calendarReference", "schoolId"),
        _get(resource, "date"),
        instructional,
    )


def attendance(resource: Resource) -> tuple[object, ...]:
    """studentSchoolAttendanceEvents: one student's event on one day."""
    return (
        _get(resource, "studentReference", "studentUniqueId"),
        _get(resource, "schoolReference", "schoolId"),
        _get(resource, "eventDate"),
        _get(resource, "attendanceEventCategoryDescriptor"),
        _get(resource, "eventDuration"),
    )


def incident(resource: Resource) -> tuple[object, ...]:
    """disciplineIncidents: an incident at a school."""
    return (
        _get(resource, "incidentIdentifier"),
        _get(resource, "schoolReference", "schoolId"),
        _get(resource, "incidentDate"),
        _get(resource, "reportedToLawEnforcement"),
    )


def incident_behavior(resource: Resource) -> tuple[object, ...]:
    """studentDisciplineIncidentBehaviorAssociations: a student's behaviour."""
    return (
        _get(resource, "disciplineIncidentReference", "incidentIdentifier"),
        _get(resource, "disciplineIncidentReference", "schoolId"),
        _get(resource, "studentReference", "studentUniqueId"),
        _get(resource, "behaviorDescriptor"),
    )


def discipline_action(resource: Resource) -> tuple[object, ...]:
    """disciplineActions: tied to an incident through the behaviour it answers.

    The school is the incident's, so that the action joins its incident; the
    responsible school stands in when no behaviour is named. The days are the
    actual length when given, else the length assigned.
    """
    behaviors = _items(resource, "studentDisciplineIncidentBehaviorAssociations")
    reference: Resource = {}
    if behaviors:
        found = behaviors[0].get(
            "studentDisciplineIncidentBehaviorAssociationReference"
        )
        reference = found if isinstance(found, dict) else {}
    disciplines = _items(resource, "disciplines")
    days = _get(resource, "actualDisciplineActionLength") or _get(
        resource, "disciplineActionLength"
    )
    return (
        _get(resource, "disciplineActionIdentifier"),
        _get(resource, "studentReference", "studentUniqueId"),
        _get(reference, "schoolId")
        or _get(resource, "responsibilitySchoolReference", "schoolId"),
        _get(reference, "incidentIdentifier"),
        _get(resource, "disciplineDate"),
        _get(disciplines[0], "disciplineDescriptor") if disciplines else None,
        days,
    )


def grade(resource: Resource) -> tuple[object, ...]:
    """grades: a grade for a course section; the reader keeps final ones."""
    section = "studentSectionAssociationReference"
    return (
        _get(resource, section, "studentUniqueId"),
        _get(resource, section, "schoolId"),
        _get(resource, section, "schoolYear"),
        _get(resource, section, "localCourseCode"),
        _get(resource, section, "sessionName"),
        _get(resource, "letterGradeEarned"),
        _get(resource, "numericGradeEarned"),
        _get(resource, "gradeTypeDescriptor"),
    )


# (file, raw table, row function), in the order the files are read.
ROWS: tuple[tuple[str, str, Callable[[Resource], tuple[object, ...]]], ...] = (
    ("schools.json", "schools", school),
    ("students.json", "students", student),
    ("studentEducationOrganizationAssociations.json", DETAILS, student_details),
    ("contacts.json", CONTACTS, contact),
    ("studentContactAssociations.json", "guardians", student_contact),
    ("studentSchoolAssociations.json", "enrollments", enrollment),
    ("calendarDates.json", "calendar_days", calendar_date),
    ("studentSchoolAttendanceEvents.json", "attendance", attendance),
    ("disciplineIncidents.json", "incidents", incident),
    (
        "studentDisciplineIncidentBehaviorAssociations.json",
        "incident_behaviors",
        incident_behavior,
    ),
    ("disciplineActions.json", "discipline_actions", discipline_action),
    ("grades.json", "grades", grade),
)
