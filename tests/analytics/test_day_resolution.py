"""The vectorised day resolution agrees with the domain rule on any rows."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from youthbridge.analytics.indicators import compute_indicators
from youthbridge.domain.codes import AttendanceStatus
from youthbridge.domain.indicators import resolve_day

from .scenarios import YEAR, one_student, weekdays

fractions = st.none() | st.sampled_from(
    [Decimal(0), Decimal("0.25"), Decimal("0.5"), Decimal(1)]
)
day_rows = st.lists(
    st.tuples(st.sampled_from(list(AttendanceStatus)), fractions),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(day_rows)
def test_one_day_resolves_as_the_domain_says(
    rows: list[tuple[AttendanceStatus, Decimal | None]],
) -> None:
    day = weekdays(1)[0]
    listed = [("S1", "A", day, status, fraction) for status, fraction in rows]

    result = compute_indicators(one_student(1, listed), YEAR, as_of=day)

    expected = resolve_day(rows)
    year = result.student_year.row(0, named=True)
    assert year["days_absent"] == expected.fraction_absent
    assert year["unexcused_absences"] == int(expected.is_unexcused)
