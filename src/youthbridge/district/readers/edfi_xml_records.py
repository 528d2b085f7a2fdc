"""What each Ed-Fi bulk XML record contributes, one function per record kind.

Each function takes one record element and returns `(kind, values)`: the raw
row it adds, in the order of `SCHEMAS[kind]` (provenance is added by the
reader). Paths match elements by local name in any namespace, and a value is an
element's text or, for Data Standard 2.0 descriptors, its `CodeValue`.
"""

from __future__ import annotations

from functools import cache

import polars as pl
from lxml import etree

from youthbridge.district.canonical import FILE_COLUMN, LINE_COLUMN
from youthbridge.district.readers.edfi_tables import CONTACTS

Row = tuple[str, tuple[object, ...]]

NAME_COLUMNS = ("student_id", "first_name", "middle_name", "last_name", "birth_date")
DETAIL_COLUMNS = (
    "sex",
    "_hispanic",
    "street",
    "city",
    "state",
    "zip",
    "phone",
    "language",
)
_ADDRESS = ("street", "city", "state", "zip")


def _schema(*names: str) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {}
    for name in names:
        schema[name] = pl.List(pl.String()) if name == "_races" else pl.String()
    schema[FILE_COLUMN] = pl.String()
    schema[LINE_COLUMN] = pl.Int64()
    return schema


SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "school": _schema("school_id", "name", "level", "zip"),
    "student": _schema(*NAME_COLUMNS, *DETAIL_COLUMNS, "_races", "_standard"),
    "demographics": _schema("student_id", *DETAIL_COLUMNS, "_races"),
    "contact": _schema(
        "guardian_id", "first_name", "last_name", "phone", "email", *_ADDRESS,
        "language", "_xml_id",
    ),
    "student_contact": _schema(
        "guardian_id", "student_id", "relation", "legal_guardian", "lives_with",
        "_ref",
    ),
    "session": _schema(
        "school_id", "session_name", "begin_date", "end_date", "instructional_days"
    ),
    "attendance": _schema("student_id", "school_id", "date", "status", "_duration"),
    "incident": _schema(
        "incident_id", "school_id", "date", "reported_to_law_enforcement", "_xml_id"
    ),
    "incident_behavior": _schema(
        "incident_id", "school_id", "_incident_school", "student_id", "behavior",
        "_ref",
    ),
    "discipline_action": _schema(
        "action_id", "student_id", "school_id", "incident_id", "_incident_school",
        "date", "action", "days", "_ref",
    ),
    "enrollment": _schema(
        "student_id", "school_id", "grade", "entry_date", "exit_date"
    ),
    "grade": _schema(
        "student_id", "school_id", "school_year", "course", "term", "letter",
        "numeric", "_grade_type",
    ),
}  # fmt: skip

# Record kind -> the raw frame (named as its canonical table) it feeds.
TABLE_OF_KIND: dict[str, str] = {
    "school": "schools",
    "contact": CONTACTS,
    "student_contact": "guardians",
    "session": "calendar_sessions",
    "attendance": "attendance",
    "incident": "incidents",
    "incident_behavior": "incident_behaviors",
    "discipline_action": "discipline_actions",
    "enrollment": "enrollments",
    "grade": "grades",
}


def standard_version(namespace: str | None) -> str:
    """A sortable version from a namespace: `…/5.2.0` and `…/0200` (2.0)."""
    tail = (namespace or "").rstrip("/").rsplit("/", 1)[-1]
    if tail.isdigit() and len(tail) == 4:
        parts = [tail[:2], tail[2:]]
    else:
        parts = [part for part in tail.split(".") if part.isdigit()]
    return ".".join(f"{int(part):03d}" for part in parts)


@cache
def _path(path: str) -> str:
    # "BirthData/BirthDate" -> "{*}BirthData/{*}BirthDate": any namespace.
    steps = path.split("/")
    return "/".join(step if step in ("", ".") else "{*}" + step for step in steps)


def _value(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = (element.text or "").strip()
    if text:
        return text
    children = [child for child in element if isinstance(child.tag, str)]
    return _value(children[0]) if children else None


def _text(element: etree._Element, path: str) -> str | None:
    return _value(element.find(_path(path)))


def _named(value: str | None) -> str | None:
    # The category a descriptor names, for text columns such as a state.
    return value.rsplit("#", 1)[-1].strip() if value else value


def _ref(element: etree._Element, path: str) -> str | None:
    found = element.find(_path(path))
    return None if found is None else found.get("ref")


def _pick(
    items: list[etree._Element], path: str, preferred: tuple[str, ...]
) -> etree._Element | None:
    # The first item whose `path` value is among `preferred`, else the first.
    for item in items:
        if _named(_text(item, path)) in preferred:
            return item
    return items[0] if items else None


def _address(element: etree._Element) -> tuple[str | None, ...]:
    addresses = element.findall(_path("Address"))
    chosen = _pick(addresses, "AddressType", ("Home", "Physical"))
    if chosen is None:
        return (None, None, None, None)
    street = _text(chosen, "StreetNumberName")
    suite = _text(chosen, "ApartmentRoomSuiteNumber")
    if street and suite:
        street = f"{street}, {suite}"
    return (
        street,
        _text(chosen, "City"),
        _named(_text(chosen, "StateAbbreviation")),
        _text(chosen, "PostalCode"),
    )


def _phone(element: etree._Element) -> str | None:
    phones = element.findall(_path("Telephone"))
    chosen = _pick(phones, "OrderOfPriority", ("1",))
    return None if chosen is None else _text(chosen, "TelephoneNumber")


def _language(element: etree._Element) -> str | None:
    languages = element.findall(_path("Language"))
    home = [
        language
        for language in languages
        if any(
            _named(_value(use)) == "Home language"
            for use in language.findall(_path("LanguageUse"))
        )
    ]
    chosen = home or languages
    return _named(_text(chosen[0], "Language")) if chosen else None


def _details(element: etree._Element) -> tuple[object, ...]:
    sex = _text(element, "Sex") or _text(element, "BirthData/BirthSex")
    return (
        sex,
        _text(element, "HispanicLatinoEthnicity"),
        *_address(element),
        _phone(element),
        _language(element),
    )


def _races(element: etree._Element) -> list[str]:
    races = (_value(race) for race in element.findall(_path("Race")))
    return [race for race in races if race]


def school(element: etree._Element, standard: str) -> Row:
    """A school: identifier, name, category and the physical address's zip."""
    addresses = element.findall(_path("Address"))
    physical = _pick(addresses, "AddressType", ("Physical",))
    zip_code = None if physical is None else _text(physical, "PostalCode")
    return "school", (
        _text(element, "SchoolId"),
        _text(element, "NameOfInstitution"),
        _text(element, "SchoolCategory"),
        zip_code,
    )


def student(element: etree._Element, standard: str) -> Row:
    """A student: names and birth date, and any details the standard carries."""
    return "student", (
        _text(element, "StudentUniqueId"),
        _text(element, "Name/FirstName"),
        _text(element, "Name/MiddleName"),
        _text(element, "Name/LastSurname"),
        _text(element, "BirthData/BirthDate"),
        *_details(element),
        _races(element),
        standard,
    )


def demographics(element: etree._Element, standard: str) -> Row:
    """A student's details from a student-education organization association."""
    return "demographics", (
        _text(element, "StudentReference//StudentUniqueId"),
        *_details(element),
        _races(element),
    )


def contact(element: etree._Element, standard: str) -> Row:
    """A parent or other contact, with the XML id associations point at."""
    unique_id = _text(element, "ContactUniqueId") or _text(element, "ParentUniqueId")
    return "contact", (
        unique_id,
        _text(element, "Name/FirstName"),
        _text(element, "Name/LastSurname"),
        _phone(element),
        _text(element, "ElectronicMail/ElectronicMailAddress"),
        *_address(element),
        _language(element),
        element.get("id"),
    )


def student_contact(element: etree._Element, standard: str) -> Row:
    """A student's contact: who they are to the student, and living together."""
    contact_id = _text(element, "ContactReference//ContactUniqueId") or _text(
        element, "ParentReference//ParentUniqueId"
    )
    return "student_contact", (
        contact_id,
        _text(element, "StudentReference//StudentUniqueId"),
        _text(element, "Relation"),
        _text(element, "LegalGuardian"),
        _text(element, "LivesWith"),
        _ref(element, "ContactReference") or _ref(element, "ParentReference"),
    )


def session(element: etree._Element, standard: str) -> Row:
    """A school's session with its total of instructional days."""
    return "session", (
        _text(element, "SchoolReference//SchoolId"),
        _text(element, "SessionName"),
        _text(element, "BeginDate"),
        _text(element, "EndDate"),
        _text(element, "TotalInstructionalDays"),
    )


def attendance(element: etree._Element, standard: str) -> Row:
    """A school attendance event: one student, one school, one day."""
    return "attendance", (
        _text(element, "StudentReference//StudentUniqueId"),
        _text(element, "SchoolReference//SchoolId"),
        _text(element, ".//EventDate"),
        _text(element, ".//AttendanceEventCategory"),
        _text(element, ".//EventDuration"),
    )


def incident(element: etree._Element, standard: str) -> Row:
    """A discipline incident at a school."""
    return "incident", (
        _text(element, "IncidentIdentifier"),
        _text(element, "SchoolReference//SchoolId"),
        _text(element, "IncidentDate"),
        _text(element, "ReportedToLawEnforcement"),
        element.get("id"),
    )


def incident_behavior(element: etree._Element, standard: str) -> Row:
    """A student's behaviour in an incident, by identity or by XML reference."""
    return "incident_behavior", (
        _text(element, "DisciplineIncidentReference//IncidentIdentifier"),
        None,
        _text(element, "DisciplineIncidentReference//SchoolId"),
        _text(element, "StudentReference//StudentUniqueId"),
        _text(element, "Behavior"),
        _ref(element, "DisciplineIncidentReference"),
    )


def discipline_action(element: etree._Element, standard: str) -> Row:
    """A discipline action, tied to its incident through the behaviour it answers.

    The days are the actual length when given, else the length assigned.
    """
    days = _text(element, "ActualDisciplineActionLength") or _text(
        element, "DisciplineActionLength"
    )
    return "discipline_action", (
        _text(element, "DisciplineActionIdentifier"),
        _text(element, "StudentReference//StudentUniqueId"),
        _text(element, "ResponsibilitySchoolReference//SchoolId"),
        _text(element, ".//DisciplineIncidentReference//IncidentIdentifier"),
        _text(element, ".//DisciplineIncidentReference//SchoolId"),
        _text(element, "DisciplineDate"),
        _text(element, "Discipline"),
        days,
        _ref(element, ".//DisciplineIncidentReference"),
    )


def enrollment(element: etree._Element, standard: str) -> Row:
    """A student's enrollment at a school."""
    return "enrollment", (
        _text(element, "StudentReference//StudentUniqueId"),
        _text(element, "SchoolReference//SchoolId"),
        _text(element, "EntryGradeLevel"),
        _text(element, "EntryDate"),
        _text(element, "ExitWithdrawDate"),
    )


def grade(element: etree._Element, standard: str) -> Row:
    """A grade in a course section; the reader keeps the final ones."""
    section = "StudentSectionAssociationReference/"
    return "grade", (
        _text(element, section + "/StudentUniqueId"),
        _text(element, section + "/SchoolId"),
        _text(element, section + "/SchoolYear"),
        _text(element, section + "/LocalCourseCode"),
        _text(element, section + "/SessionName"),
        _text(element, "LetterGradeEarned"),
        _text(element, "NumericGradeEarned"),
        _text(element, "GradeType"),
    )
