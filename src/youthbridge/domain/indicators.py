"""The early-warning indicators' rules, one student and one day at a time.

These are the definitions; `youthbridge.analytics.indicators` applies them to whole
tables at once and is tested against them.

One day, several rows. A student can have more than one attendance row on the same
school day (a tardy and then an unexcused absence for the afternoon, say). The day
takes the status that comes first in `codes.ATTENDANCE_PRECEDENCE`, whatever the
order of the rows: unexcused absence, excused absence, partial day, early departure,
tardy, present. Its fraction absent is the largest fraction given on a row of that
status, or the status's default when no such row gives one.

Default fraction absent. Absences, excused or not, miss the whole day (1). A
partial day and an early departure miss half of it (0.5): neither says how much was
missed, and an early departure usually costs the afternoon's classes, unlike a
tardy, which by common practice is minutes and leaves the student present (0), as
present does.

Chronic absence. A student is chronically absent when the days absent are at least
the agreement's share (10% by default) of the days of membership, the boundary
included: 18 of 180 is chronic. The comparison is done in exact arithmetic
(`days_absent * denominator >= membership * numerator`), never in floating point,
where 18/180 can land on either side of 0.1.

Habitual truancy, as Colorado defines it (C.R.S. 22-33-102): at least four unexcused
absences in any one calendar month, or at least ten in the school year; both numbers
are agreement terms. A day whose resolved status is an unexcused absence counts as
one unexcused absence, whatever its fraction, because the statute counts absences,
not hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.codes import (
    ATTENDANCE_PRECEDENCE,
    AttendanceMode,
    AttendanceStatus,
)

# Lower is stronger: the rank of a status in the precedence, 0 for the first.
STATUS_RANK: dict[AttendanceStatus, int] = {
    status: rank for rank, status in enumerate(ATTENDANCE_PRECEDENCE)
}

DEFAULT_FRACTION_ABSENT: dict[AttendanceStatus, Decimal] = {
    AttendanceStatus.UNEXCUSED_ABSENCE: Decimal(1),
    AttendanceStatus.EXCUSED_ABSENCE: Decimal(1),
    AttendanceStatus.PARTIAL: Decimal("0.5"),
    AttendanceStatus.EARLY_DEPARTURE: Decimal("0.5"),
    AttendanceStatus.TARDY: Decimal(0),
    AttendanceStatus.PRESENT: Decimal(0),
}

# An amount of days: whole, exact decimal or rational.
Quantity: TypeAlias = int | Decimal | Fraction


@dataclass(frozen=True)
class AttendanceDay:
    """What one school day comes to for one student, after precedence."""

    status: AttendanceStatus
    fraction_absent: Decimal

    @property
    def is_unexcused(self) -> bool:
        return self.status is AttendanceStatus.UNEXCUSED_ABSENCE


def resolve_day(
    rows: Iterable[tuple[AttendanceStatus, Decimal | None]],
) -> AttendanceDay:
    """The one day that a student's rows for one date come to.

    Each row is a status with its fraction absent (None when the source gave none).
    """
    listed = list(rows)
    if not listed:
        raise ValueError("a day needs at least one attendance row to resolve")

    status = min((row_status for row_status, _ in listed), key=STATUS_RANK.__getitem__)

    given = [fraction for row_status, fraction in listed if row_status is status]
    fractions = [fraction for fraction in given if fraction is not None]
    if fractions:
        return AttendanceDay(status, max(fractions))
    return AttendanceDay(status, DEFAULT_FRACTION_ABSENT[status])


def fraction_absent_without_row(mode: AttendanceMode) -> Decimal | None:
    """What an enrolled instructional day with no row means, by recording mode.

    None means the day is a gap in the data: it counts neither as membership nor
    as absence. A missing day in a presences source is an absence, but not an
    unexcused one: the source cannot tell whether a note excused it.
    """
    if mode is AttendanceMode.EXCEPTIONS:
        return Decimal(0)
    if mode is AttendanceMode.PRESENCES:
        return Decimal(1)
    return None


def is_chronically_absent(
    days_absent: Quantity, membership_days: Quantity, share: Fraction
) -> bool:
    """Whether days absent reach `share` of membership days, boundary included."""
    absent = Fraction(days_absent)
    membership = Fraction(membership_days)
    if membership <= 0:
        return False
    return absent * share.denominator >= membership * share.numerator


def is_habitually_truant(
    max_unexcused_in_month: int, unexcused_in_year: int, agreement: Agreement
) -> bool:
    """Colorado's habitual truancy: too many unexcused absences in a month or year."""
    return (
        max_unexcused_in_month >= agreement.truancy_unexcused_per_month
        or unexcused_in_year >= agreement.truancy_unexcused_per_year
    )


def attendance_rate(
    days_absent: Quantity, membership_days: Quantity
) -> Fraction | None:
    """The share of membership days attended; None without membership."""
    membership = Fraction(membership_days)
    if membership <= 0:
        return None
    return (membership - Fraction(days_absent)) / membership
