"""The indicator rules one day and one student at a time."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.codes import (
    ATTENDANCE_PRECEDENCE,
    AttendanceMode,
    AttendanceStatus,
)
from youthbridge.domain.indicators import (
    AttendanceDay,
    attendance_rate,
    fraction_absent_without_row,
    is_chronically_absent,
    is_habitually_truant,
    resolve_day,
)

Status = AttendanceStatus
TENTH = Fraction(1, 10)


def test_an_unexcused_absence_outranks_a_tardy_in_either_order() -> None:
    rows = [(Status.TARDY, None), (Status.UNEXCUSED_ABSENCE, None)]

    assert resolve_day(rows) == resolve_day(reversed(rows))
    assert resolve_day(rows) == AttendanceDay(Status.UNEXCUSED_ABSENCE, Decimal(1))
    assert resolve_day(rows).is_unexcused


@pytest.mark.parametrize(
    ("status", "fraction"),
    [
        (Status.UNEXCUSED_ABSENCE, Decimal(1)),
        (Status.EXCUSED_ABSENCE, Decimal(1)),
        (Status.PARTIAL, Decimal("0.5")),
        (Status.EARLY_DEPARTURE, Decimal("0.5")),
        (Status.TARDY, Decimal(0)),
        (Status.PRESENT, Decimal(0)),
    ],
)
def test_each_status_has_its_default_fraction(
    status: Status, fraction: Decimal
) -> None:
    assert resolve_day([(status, None)]).fraction_absent == fraction


def test_every_status_is_ranked() -> None:
    assert set(ATTENDANCE_PRECEDENCE) == set(Status)


def test_the_largest_given_fraction_of_the_winning_status_counts() -> None:
    rows = [
        (Status.PARTIAL, Decimal("0.25")),
        (Status.PARTIAL, None),
        (Status.PARTIAL, Decimal("0.75")),
        (Status.TARDY, Decimal("0.1")),
    ]

    assert resolve_day(rows) == AttendanceDay(Status.PARTIAL, Decimal("0.75"))


def test_a_day_needs_a_row() -> None:
    with pytest.raises(ValueError, match="at least one"):
        resolve_day([])


@pytest.mark.parametrize(
    ("mode", "fraction"),
    [
        (AttendanceMode.EXCEPTIONS, Decimal(0)),
        (AttendanceMode.PRESENCES, Decimal(1)),
        (AttendanceMode.EVERY_DAY, None),
    ],
)
def test_a_missing_row_means_what_the_mode_says(
    mode: AttendanceMode, fraction: Decimal | None
) -> None:
    assert fraction_absent_without_row(mode) == fraction


@pytest.mark.parametrize(
    ("absent", "membership", "chronic"),
    [
        (18, 180, True),  # 162 of 180 present: exactly 10%
        (19, 190, True),  # 171 of 190 present
        (17, 180, False),  # 163 of 180 present
        (Decimal("17.5"), 175, True),
        (Decimal("17.4"), 175, False),
        (Fraction(144, 17), 80, True),
        (Fraction(128, 17), 80, False),
        (0, 0, False),
    ],
)
def test_chronic_absence_is_exact_at_the_boundary(
    absent: int | Decimal | Fraction, membership: int, chronic: bool
) -> None:
    assert is_chronically_absent(absent, membership, TENTH) is chronic


@pytest.mark.parametrize(
    ("most_in_a_month", "in_year", "truant"),
    [(4, 4, True), (3, 9, False), (3, 10, True), (0, 0, False)],
)
def test_habitual_truancy_follows_the_agreement(
    most_in_a_month: int, in_year: int, truant: bool
) -> None:
    assert is_habitually_truant(most_in_a_month, in_year, Agreement()) is truant


def test_truancy_thresholds_are_the_agreements_terms() -> None:
    stricter = Agreement(truancy_unexcused_per_month=2, truancy_unexcused_per_year=5)

    assert is_habitually_truant(2, 2, stricter)
    assert is_habitually_truant(1, 5, stricter)


def test_attendance_rate_is_exact_and_empty_without_membership() -> None:
    assert attendance_rate(Decimal("2.5"), 10) == Fraction(3, 4)
    assert attendance_rate(0, 0) is None
