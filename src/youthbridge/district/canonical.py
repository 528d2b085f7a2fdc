"""The district's canonical model: every reader writes into these tables.

Readers produce these tables with every value as text, plus `_file` and `_line`
(where the row came from). Validation then types each column by its kind, checks
it, and sends the rows that break a rule to quarantine. Identifiers, zip codes and
codes stay text, byte for byte, everywhere: `000123` and `123` are two students.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from youthbridge.domain import codes


class Kind(StrEnum):
    ID = "id"  # text, kept exactly; never trimmed of zeros
    TEXT = "text"
    DATE = "date"  # parsed with the source's declared date format
    DECIMAL = "decimal"  # exact decimal (days, fractions of a day)
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CODE = "code"  # one of a canonical vocabulary, mapped by the reader
    ZIP = "zip"  # five digits, or five plus four; flagged, never padded
    GRADE = "grade"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    vocabulary: frozenset[str] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # (column, table, column): a row whose value is not in the other table is
    # quarantined, unless the value is already stored from an earlier batch.
    references: tuple[tuple[str, str, str], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _code(name: str, vocabulary: type[StrEnum], required: bool = False) -> Column:
    return Column(name, Kind.CODE, required, codes.values(vocabulary))


SCHOOLS = Table(
    "schools",
    (
        Column("school_id", Kind.ID, required=True),
        Column("name", Kind.TEXT, required=True),
        _code("level", codes.SchoolLevel),
        Column("zip", Kind.ZIP),
    ),
    key=("school_id",),
)

STUDENTS = Table(
    "students",
    (
        Column("student_id", Kind.ID, required=True),
        Column("first_name", Kind.TEXT, required=True),
        Column("middle_name", Kind.TEXT),
        Column("last_name", Kind.TEXT, required=True),
        Column("birth_date", Kind.DATE, required=True),
        _code("sex", codes.Sex),
        _code("race_ethnicity", codes.RaceEthnicity),
        Column("street", Kind.TEXT),
        Column("city", Kind.TEXT),
        Column("state", Kind.TEXT),
        Column("zip", Kind.ZIP),
        Column("phone", Kind.TEXT),
        Column("language", Kind.TEXT),
    ),
    key=("student_id",),
)

GUARDIANS = Table(
    "guardians",
    (
        Column("guardian_id", Kind.ID, required=True),
        Column("student_id", Kind.ID, required=True),
        Column("first_name", Kind.TEXT, required=True),
        Column("last_name", Kind.TEXT, required=True),
        _code("relation", codes.GuardianRelation, required=True),
        Column("legal_guardian", Kind.BOOLEAN),
        Column("lives_with", Kind.BOOLEAN),
        Column("phone", Kind.TEXT),
        Column("email", Kind.TEXT),
        Column("street", Kind.TEXT),
        Column("city", Kind.TEXT),
        Column("state", Kind.TEXT),
        Column("zip", Kind.ZIP),
        Column("language", Kind.TEXT),
    ),
    key=("guardian_id", "student_id"),
    references=(("student_id", "students", "student_id"),),
)

ENROLLMENTS = Table(
    "enrollments",
    (
        Column("student_id", Kind.ID, required=True),
        Column("school_id", Kind.ID, required=True),
        Column("grade", Kind.GRADE),
        Column("entry_date", Kind.DATE, required=True),
        Column("exit_date", Kind.DATE),
    ),
    key=("student_id", "school_id", "entry_date"),
    references=(
        ("student_id", "students", "student_id"),
        ("school_id", "schools", "school_id"),
    ),
)

# A school's instructional days, listed date by date.
CALENDAR_DAYS = Table(
    "calendar_days",
    (
        Column("school_id", Kind.ID, required=True),
        Column("date", Kind.DATE, required=True),
    ),
    key=("school_id", "date"),
    references=(("school_id", "schools", "school_id"),),
)

# A school's instructional days given as sessions with a total, as Ed-Fi's bulk
# calendar does. The session's weekdays stand for its days, each weighing
# total / weekdays, so that a full-session enrollment has exactly the total.
CALENDAR_SESSIONS = Table(
    "calendar_sessions",
    (
        Column("school_id", Kind.ID, required=True),
        Column("session_name", Kind.TEXT, required=True),
        Column("begin_date", Kind.DATE, required=True),
        Column("end_date", Kind.DATE, required=True),
        Column("instructional_days", Kind.INTEGER, required=True),
    ),
    key=("school_id", "session_name", "begin_date"),
    references=(("school_id", "schools", "school_id"),),
)

ATTENDANCE = Table(
    "attendance",
    (
        Column("student_id", Kind.ID, required=True),
        Column("school_id", Kind.ID, required=True),
        Column("date", Kind.DATE, required=True),
        _code("status", codes.AttendanceStatus, required=True),
        # Share of the day missed, 0 to 1. Empty means the status decides:
        # absences 1, present and tardy 0, partial days 0.5.
        Column("fraction_absent", Kind.DECIMAL),
    ),
    key=("student_id", "school_id", "date", "status"),
    references=(
        ("student_id", "students", "student_id"),
        ("school_id", "schools", "school_id"),
    ),
)

INCIDENTS = Table(
    "incidents",
    (
        Column("incident_id", Kind.ID, required=True),
        Column("school_id", Kind.ID, required=True),
        Column("date", Kind.DATE, required=True),
        Column("reported_to_law_enforcement", Kind.BOOLEAN),
    ),
    key=("incident_id", "school_id"),
    references=(("school_id", "schools", "school_id"),),
)

# A student's part in an incident, with the behaviour they were involved in.
INCIDENT_BEHAVIORS = Table(
    "incident_behaviors",
    (
        Column("incident_id", Kind.ID, required=True),
        Column("school_id", Kind.ID, required=True),
        Column("student_id", Kind.ID, required=True),
        _code("behavior", codes.BehaviorCategory, required=True),
    ),
    key=("incident_id", "school_id", "student_id", "behavior"),
    references=(("student_id", "students", "student_id"),),
)

DISCIPLINE_ACTIONS = Table(
    "discipline_actions",
    (
        Column("action_id", Kind.ID, required=True),
        Column("student_id", Kind.ID, required=True),
        Column("school_id", Kind.ID),
        Column("incident_id", Kind.ID),
        Column("date", Kind.DATE, required=True),
        _code("action", codes.DisciplineAction, required=True),
        Column("days", Kind.DECIMAL),
    ),
    key=("action_id", "student_id"),
    references=(("student_id", "students", "student_id"),),
)

GRADES = Table(
    "grades",
    (
        Column("student_id", Kind.ID, required=True),
        Column("school_id", Kind.ID, required=True),
        Column("school_year", Kind.TEXT, required=True),
        Column("course", Kind.TEXT, required=True),
        Column("term", Kind.TEXT, required=True),
        Column("letter", Kind.TEXT),
        Column("numeric", Kind.DECIMAL),
    ),
    key=("student_id", "school_id", "school_year", "course", "term"),
    references=(("student_id", "students", "student_id"),),
)

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        SCHOOLS,
        STUDENTS,
        GUARDIANS,
        ENROLLMENTS,
        CALENDAR_DAYS,
        CALENDAR_SESSIONS,
        ATTENDANCE,
        INCIDENTS,
        INCIDENT_BEHAVIORS,
        DISCIPLINE_ACTIONS,
        GRADES,
    )
}

# Provenance columns every reader adds to every row.
FILE_COLUMN = "_file"
LINE_COLUMN = "_line"
