"""The canonical vocabularies every source is mapped into.

Codes are readable strings. Sources map their own values into these through
explicit code tables, never by substring: `Not Hispanic or Latino` must never be
read as Hispanic.
"""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NONBINARY = "nonbinary"
    NOT_SELECTED = "not-selected"


class RaceEthnicity(StrEnum):
    """The federal seven categories (Hispanic first, then two or more races)."""

    HISPANIC = "hispanic-latino"
    AMERICAN_INDIAN = "american-indian-alaska-native"
    ASIAN = "asian"
    BLACK = "black-african-american"
    PACIFIC_ISLANDER = "native-hawaiian-pacific-islander"
    WHITE = "white"
    TWO_OR_MORE = "two-or-more"


class AttendanceStatus(StrEnum):
    """What one attendance row says about one student on one school day."""

    PRESENT = "present"
    EXCUSED_ABSENCE = "excused-absence"
    UNEXCUSED_ABSENCE = "unexcused-absence"
    TARDY = "tardy"
    EARLY_DEPARTURE = "early-departure"
    PARTIAL = "partial"


# When several rows speak of the same student on the same day, the day takes the
# status that comes first here, whatever the order of the rows in the file. An
# absence outranks a partial day, which outranks lateness, which outranks presence;
# unexcused outranks excused so that a truancy count is never hidden by a note.
ATTENDANCE_PRECEDENCE: tuple[AttendanceStatus, ...] = (
    AttendanceStatus.UNEXCUSED_ABSENCE,
    AttendanceStatus.EXCUSED_ABSENCE,
    AttendanceStatus.PARTIAL,
    AttendanceStatus.EARLY_DEPARTURE,
    AttendanceStatus.TARDY,
    AttendanceStatus.PRESENT,
)


class AttendanceMode(StrEnum):
    """How a source records attendance, which decides what a missing row means."""

    EXCEPTIONS = "exceptions"  # a day with no row is a day present (Ed-Fi events)
    EVERY_DAY = "every-day"  # a day with no row is a gap in the data
    PRESENCES = "presences"  # a day with no row is a day absent


class DisciplineAction(StrEnum):
    IN_SCHOOL_SUSPENSION = "in-school-suspension"
    OUT_OF_SCHOOL_SUSPENSION = "out-of-school-suspension"
    EXPULSION = "expulsion"
    LAW_ENFORCEMENT_REFERRAL = "law-enforcement-referral"
    OTHER = "other"


class BehaviorCategory(StrEnum):
    """Broad behaviour categories, enough for trends and the at-risk rules."""

    FIGHTING = "fighting"
    WEAPON = "weapon"
    BULLYING = "bullying"
    DRUGS_ALCOHOL = "drugs-alcohol"
    THEFT_VANDALISM = "theft-vandalism"
    DEFIANCE = "defiance"
    STATE_OFFENSE = "state-offense"
    CODE_OF_CONDUCT = "code-of-conduct"
    SCHOOL_VIOLATION = "school-violation"
    OTHER = "other"


class SchoolLevel(StrEnum):
    ELEMENTARY = "elementary"
    MIDDLE = "middle"
    HIGH = "high"
    OTHER = "other"


class GuardianRelation(StrEnum):
    MOTHER = "mother"
    FATHER = "father"
    PARENT = "parent"
    STEPPARENT = "stepparent"
    GRANDPARENT = "grandparent"
    GUARDIAN = "guardian"
    FOSTER_PARENT = "foster-parent"
    RELATIVE = "relative"
    OTHER = "other"


GRADES: tuple[str, ...] = (
    "PK", "KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
)  # fmt: skip


def values(vocabulary: type[StrEnum]) -> frozenset[str]:
    """Every code of a vocabulary, as the strings stored and compared."""
    return frozenset(member.value for member in vocabulary)
