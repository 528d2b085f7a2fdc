"""Write canonical tables as Ed-Fi ODS/API resource files (JSON arrays).

The files are those the Ed-Fi JSON reader reads, with the API's field names, so
that a synthetic district can be exported the way a real one arrives. Each
resource object is written on one line, built as Polars struct columns and
streamed out, so that millions of attendance events take seconds.

Attendance is written as Ed-Fi records it, exceptions only: rows that say a
student was present are left out. Canonical calendar sessions are not written
(the JSON export carries instructional days as calendar dates).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import polars as pl

from youthbridge.district.readers.edfi_mapping import (
    ATTENDANCE,
    BEHAVIOR,
    DISCIPLINE,
    GRADE_LEVEL,
    RACE,
    RELATION,
    SCHOOL_LEVEL,
    SEX,
    CodeTable,
)
from youthbridge.domain.codes import AttendanceStatus, RaceEthnicity

Tables = dict[str, pl.DataFrame]
_SLICE = 200_000  # rows serialised at a time, to bound memory
_INTEGER_ID = r"^[1-9][0-9]{0,17}$"
_LOCAL_RACE = "uri://youthbridge.synthetic/RaceDescriptor#"


def write_edfi_json(tables: dict[str, pl.DataFrame], folder: Path) -> list[Path]:
    """Write the canonical frames as Ed-Fi resource files; return the paths.

    `tables` holds canonical frames (canonical column names, text values, ISO
    dates). A resource is written only when the tables it comes from exist.
    """
    folder.mkdir(parents=True, exist_ok=True)
    school_id = _school_id_expression(tables)
    written: list[Path] = []
    for file, build in _BUILDERS:
        frame = build(tables, school_id)
        if frame is not None:
            path = folder / file
            _write_array(frame, path)
            written.append(path)
    return written


SchoolId = Callable[[str], pl.Expr]


def _school_id_expression(tables: Tables) -> SchoolId:
    # Ed-Fi's schoolId is an integer. It is written as one only when every
    # school id is a plain integer, so that an id like `0042` keeps its zeros.
    ids = [
        frame["school_id"] for frame in tables.values() if "school_id" in frame.columns
    ]
    values = pl.concat(ids).drop_nulls() if ids else pl.Series([], dtype=pl.String)
    if values.str.contains(_INTEGER_ID).all():
        return lambda column: pl.col(column).cast(pl.Int64)
    return pl.col


def _write_array(frame: pl.DataFrame, path: Path) -> None:
    # One object per line inside `[` and `]`; a string's own line breaks are
    # escaped by the JSON writer, so every raw newline ends an element.
    with path.open("wb") as out:
        out.write(b"[\n")
        for start in range(0, frame.height, _SLICE):
            buffer = io.BytesIO()
            frame.slice(start, _SLICE).write_ndjson(buffer)
            body = buffer.getvalue().rstrip(b"\n").replace(b"\n", b",\n")
            out.write(b",\n" if start else b"")
            out.write(body)
        out.write(b"\n]\n")


def _descriptor(column: str, codes: CodeTable) -> pl.Expr:
    uris = {code: codes.uri(code) for code in codes.entries}
    return pl.col(column).replace_strict(uris, default=None, return_dtype=pl.String)


def _uri(descriptor: str, value: pl.Expr | str) -> pl.Expr:
    named = pl.lit(value) if isinstance(value, str) else value
    return pl.format("uri://ed-fi.org/{}#{}", pl.lit(descriptor), named)


def _boolean(column: str) -> pl.Expr:
    flags = {"true": True, "false": False}
    return pl.col(column).replace_strict(flags, default=None, return_dtype=pl.Boolean)


def _number(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64, strict=False)


def _one(item: pl.Expr, present: pl.Expr) -> pl.Expr:
    # A one-item collection when `present`, else none at all.
    return pl.when(present).then(pl.concat_list(item)).otherwise(None)


def _student_ref(column: str = "student_id") -> pl.Expr:
    return pl.struct(pl.col(column).alias("studentUniqueId"))


def _end_year(column: str) -> pl.Expr:
    # Ed-Fi names a school year by the year it ends: 2021-2022 is 2022.
    return pl.col(column).str.extract(r"^\d{4}-(\d{4})$").cast(pl.Int64)


def _date_end_year(column: str) -> pl.Expr:
    day = pl.col(column).str.to_date("%Y-%m-%d", strict=False)
    return day.dt.year() + (day.dt.month() >= 7).cast(pl.Int32)


def _address(kind: str) -> pl.Expr:
    present = pl.any_horizontal(
        pl.col(c).is_not_null() for c in ("street", "city", "state", "zip")
    )
    item = pl.struct(
        _uri("AddressTypeDescriptor", kind).alias("addressTypeDescriptor"),
        pl.col("street").alias("streetNumberName"),
        pl.col("city").alias("city"),
        _uri("StateAbbreviationDescriptor", pl.col("state")).alias(
            "stateAbbreviationDescriptor"
        ),
        pl.col("zip").alias("postalCode"),
    )
    return _one(item, present).alias("addresses")


def _telephones() -> pl.Expr:
    item = pl.struct(
        pl.col("phone").alias("telephoneNumber"),
        _uri("TelephoneNumberTypeDescriptor", "Home").alias(
            "telephoneNumberTypeDescriptor"
        ),
        pl.lit(1).alias("orderOfPriority"),
    )
    return _one(item, pl.col("phone").is_not_null()).alias("telephones")


def _languages() -> pl.Expr:
    use = pl.struct(
        _uri("LanguageUseDescriptor", "Home language").alias("languageUseDescriptor")
    )
    item = pl.struct(
        _uri("LanguageDescriptor", pl.col("language")).alias("languageDescriptor"),
        pl.concat_list(use).alias("uses"),
    )
    return _one(item, pl.col("language").is_not_null()).alias("languages")


def _schools(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "schools" not in tables:
        return None
    category = pl.struct(
        _descriptor("level", SCHOOL_LEVEL).alias("schoolCategoryDescriptor")
    )
    kind = pl.struct(
        _uri("EducationOrganizationCategoryDescriptor", "School").alias(
            "educationOrganizationCategoryDescriptor"
        )
    )
    address = pl.struct(
        _uri("AddressTypeDescriptor", "Physical").alias("addressTypeDescriptor"),
        pl.col("zip").alias("postalCode"),
    )
    return tables["schools"].select(
        school_id("school_id").alias("schoolId"),
        pl.col("name").alias("nameOfInstitution"),
        pl.concat_list(kind).alias("educationOrganizationCategories"),
        _one(category, pl.col("level").is_not_null()).alias("schoolCategories"),
        _one(address, pl.col("zip").is_not_null()).alias("addresses"),
    )


def _students(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "students" not in tables:
        return None
    return tables["students"].select(
        pl.col("student_id").alias("studentUniqueId"),
        pl.col("first_name").alias("firstName"),
        pl.col("middle_name").alias("middleName"),
        pl.col("last_name").alias("lastSurname"),
        pl.col("birth_date").alias("birthDate"),
    )


def _student_details(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "students" not in tables:
        return None
    students = tables["students"].join(
        _first_school(tables), on="student_id", how="left", maintain_order="left"
    )
    race = pl.col("race_ethnicity")
    hispanic = race == RaceEthnicity.HISPANIC.value
    return students.select(
        pl.struct(school_id("_school").alias("educationOrganizationId")).alias(
            "educationOrganizationReference"
        ),
        _student_ref().alias("studentReference"),
        _descriptor("sex", SEX).alias("sexDescriptor"),
        pl.when(race.is_not_null()).then(hispanic).alias("hispanicLatinoEthnicity"),
        _one(
            pl.struct(_race().alias("raceDescriptor")), race.is_not_null() & ~hispanic
        ).alias("races"),
        _address("Home"),
        _telephones(),
        _languages(),
    )


def _race() -> pl.Expr:
    # Ed-Fi has no "two or more" race; a local descriptor keeps the answer
    # rather than inventing which races they are.
    two = pl.col("race_ethnicity") == RaceEthnicity.TWO_OR_MORE.value
    local = pl.lit(_LOCAL_RACE + RACE.edfi_value(RaceEthnicity.TWO_OR_MORE))
    return pl.when(two).then(local).otherwise(_descriptor("race_ethnicity", RACE))


def _first_school(tables: Tables) -> pl.DataFrame:
    # The association needs an education organization: the student's school.
    enrollments = tables.get("enrollments")
    if enrollments is None:
        return pl.DataFrame(schema={"student_id": pl.String, "_school": pl.String})
    return (
        enrollments.sort("entry_date", nulls_last=True)
        .unique("student_id", keep="first", maintain_order=True)
        .select("student_id", pl.col("school_id").alias("_school"))
    )


def _contacts(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "guardians" not in tables:
        return None
    email = pl.struct(
        pl.col("email").alias("electronicMailAddress"),
        _uri("ElectronicMailTypeDescriptor", "Home/Personal").alias(
            "electronicMailTypeDescriptor"
        ),
    )
    people = tables["guardians"].unique(
        "guardian_id", keep="first", maintain_order=True
    )
    return people.select(
        pl.col("guardian_id").alias("contactUniqueId"),
        pl.col("first_name").alias("firstName"),
        pl.col("last_name").alias("lastSurname"),
        _address("Home"),
        _telephones(),
        _one(email, pl.col("email").is_not_null()).alias("electronicMails"),
        _languages(),
    )


def _student_contacts(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "guardians" not in tables:
        return None
    return tables["guardians"].select(
        pl.struct(pl.col("guardian_id").alias("contactUniqueId")).alias(
            "contactReference"
        ),
        _student_ref().alias("studentReference"),
        _descriptor("relation", RELATION).alias("relationDescriptor"),
        _boolean("legal_guardian").alias("legalGuardian"),
        _boolean("lives_with").alias("livesWith"),
    )


def _school_ref(school_id: SchoolId) -> pl.Expr:
    return pl.struct(school_id("school_id").alias("schoolId"))


def _enrollments(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "enrollments" not in tables:
        return None
    return tables["enrollments"].select(
        _school_ref(school_id).alias("schoolReference"),
        _student_ref().alias("studentReference"),
        pl.col("entry_date").alias("entryDate"),
        _descriptor("grade", GRADE_LEVEL).alias("entryGradeLevelDescriptor"),
        pl.col("exit_date").alias("exitWithdrawDate"),
    )


def _calendar_dates(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "calendar_days" not in tables:
        return None
    event = pl.struct(
        _uri("CalendarEventDescriptor", "Instructional day").alias(
            "calendarEventDescriptor"
        )
    )
    calendar = pl.struct(
        pl.col("school_id").alias("calendarCode"),
        school_id("school_id").alias("schoolId"),
        _date_end_year("date").alias("schoolYear"),
    )
    return tables["calendar_days"].select(
        calendar.alias("calendarReference"),
        pl.col("date").alias("date"),
        pl.concat_list(event).alias("calendarEvents"),
    )


def _attendance(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "attendance" not in tables:
        return None
    exceptions = tables["attendance"].filter(
        pl.col("status") != AttendanceStatus.PRESENT.value
    )
    year = _date_end_year("date")
    session = pl.struct(
        school_id("school_id").alias("schoolId"),
        year.alias("schoolYear"),
        pl.format("{}-{} School Year", year - 1, year).alias("sessionName"),
    )
    return exceptions.select(
        _school_ref(school_id).alias("schoolReference"),
        session.alias("sessionReference"),
        _student_ref().alias("studentReference"),
        pl.col("date").alias("eventDate"),
        _descriptor("status", ATTENDANCE).alias("attendanceEventCategoryDescriptor"),
        _number("fraction_absent").alias("eventDuration"),
    )


def _incidents(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "incidents" not in tables:
        return None
    return tables["incidents"].select(
        pl.col("incident_id").alias("incidentIdentifier"),
        _school_ref(school_id).alias("schoolReference"),
        pl.col("date").alias("incidentDate"),
        _boolean("reported_to_law_enforcement").alias("reportedToLawEnforcement"),
    )


def _behaviors(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "incident_behaviors" not in tables:
        return None
    incident = pl.struct(
        pl.col("incident_id").alias("incidentIdentifier"),
        school_id("school_id").alias("schoolId"),
    )
    perpetrator = pl.struct(
        _uri("DisciplineIncidentParticipationCodeDescriptor", "Perpetrator").alias(
            "disciplineIncidentParticipationCodeDescriptor"
        )
    )
    return tables["incident_behaviors"].select(
        _descriptor("behavior", BEHAVIOR).alias("behaviorDescriptor"),
        incident.alias("disciplineIncidentReference"),
        _student_ref().alias("studentReference"),
        pl.concat_list(perpetrator).alias("disciplineIncidentParticipationCodes"),
    )


def _actions(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "discipline_actions" not in tables:
        return None
    actions = tables["discipline_actions"].join(
        _behavior_of(tables),
        on=["incident_id", "school_id", "student_id"],
        how="left",
        maintain_order="left",
    )
    reference = pl.struct(
        pl.col("_behavior").alias("behaviorDescriptor"),
        pl.col("incident_id").alias("incidentIdentifier"),
        school_id("school_id").alias("schoolId"),
        pl.col("student_id").alias("studentUniqueId"),
    )
    association = pl.struct(
        reference.alias("studentDisciplineIncidentBehaviorAssociationReference")
    )
    discipline = pl.struct(
        _descriptor("action", DISCIPLINE).alias("disciplineDescriptor")
    )
    return actions.select(
        pl.col("action_id").alias("disciplineActionIdentifier"),
        pl.col("date").alias("disciplineDate"),
        pl.concat_list(discipline).alias("disciplines"),
        _student_ref().alias("studentReference"),
        _school_ref(school_id).alias("responsibilitySchoolReference"),
        _number("days").alias("actualDisciplineActionLength"),
        _one(association, pl.col("incident_id").is_not_null()).alias(
            "studentDisciplineIncidentBehaviorAssociations"
        ),
    )


def _behavior_of(tables: Tables) -> pl.DataFrame:
    # The behaviour an action answers completes the association's key.
    keys = {"incident_id": pl.String, "school_id": pl.String, "student_id": pl.String}
    behaviors = tables.get("incident_behaviors")
    if behaviors is None:
        return pl.DataFrame(schema={**keys, "_behavior": pl.String})
    return behaviors.select(
        *keys, _descriptor("behavior", BEHAVIOR).alias("_behavior")
    ).unique(list(keys), keep="first", maintain_order=True)


def _grades(tables: Tables, school_id: SchoolId) -> pl.DataFrame | None:
    if "grades" not in tables:
        return None
    year = _end_year("school_year")
    period = pl.struct(
        _uri("GradingPeriodDescriptor", "End of Year").alias("gradingPeriodDescriptor"),
        pl.col("term").alias("gradingPeriodName"),
        school_id("school_id").alias("schoolId"),
        year.alias("schoolYear"),
    )
    section = pl.struct(
        pl.lit(None, pl.String).alias("beginDate"),
        pl.col("course").alias("localCourseCode"),
        school_id("school_id").alias("schoolId"),
        year.alias("schoolYear"),
        pl.col("course").alias("sectionIdentifier"),
        pl.col("term").alias("sessionName"),
        pl.col("student_id").alias("studentUniqueId"),
    )
    return tables["grades"].select(
        _uri("GradeTypeDescriptor", "Final").alias("gradeTypeDescriptor"),
        period.alias("gradingPeriodReference"),
        section.alias("studentSectionAssociationReference"),
        pl.col("letter").alias("letterGradeEarned"),
        _number("numeric").alias("numericGradeEarned"),
    )


Builder = Callable[[Tables, SchoolId], pl.DataFrame | None]

_BUILDERS: tuple[tuple[str, Builder], ...] = (
    ("schools.json", _schools),
    ("students.json", _students),
    ("studentEducationOrganizationAssociations.json", _student_details),
    ("contacts.json", _contacts),
    ("studentContactAssociations.json", _student_contacts),
    ("studentSchoolAssociations.json", _enrollments),
    ("calendarDates.json", _calendar_dates),
    ("studentSchoolAttendanceEvents.json", _attendance),
    ("disciplineIncidents.json", _incidents),
    ("studentDisciplineIncidentBehaviorAssociations.json", _behaviors),
    ("disciplineActions.json", _actions),
    ("grades.json", _grades),
)
