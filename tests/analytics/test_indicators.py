"""Indicator scenarios, each counted by hand on calendars of weekdays."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from youthbridge.analytics.indicators import (
    IndicatorInputs,
    compute_indicators,
    school_daily_rates,
)
from youthbridge.domain.agreement import Agreement
from youthbridge.domain.codes import AttendanceMode, AttendanceStatus, BehaviorCategory
from youthbridge.domain.errors import YouthbridgeError

from .scenarios import (
    YEAR,
    absences,
    attendance,
    calendar,
    enrollments,
    inputs,
    one_student,
    weekdays,
)

UNEXCUSED = AttendanceStatus.UNEXCUSED_ABSENCE
TARDY = AttendanceStatus.TARDY
PARTIAL = AttendanceStatus.PARTIAL
PRESENT = AttendanceStatus.PRESENT


def student_row(result_frame: pl.DataFrame, student: str = "S1") -> dict[str, object]:
    rows = result_frame.filter(pl.col("student_id") == student).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_a_transfer_carries_the_days_while_each_school_keeps_its_own() -> None:
    days = weekdays(180)
    at_a, at_b = days[:80], days[80:]
    rows = absences("S1", "A", at_a[:30]) + absences("S1", "B", at_b[:5])
    enrolled = enrollments([("S1", "A", at_a[0], at_a[-1]), ("S1", "B", at_b[0], None)])
    both = inputs(
        enrolled, attendance(rows), [calendar("A", days), calendar("B", days)]
    )

    result = compute_indicators(both, YEAR, as_of=days[-1])

    year = student_row(result.student_year)
    assert year["membership_days"] == Decimal(180)
    assert year["days_absent"] == Decimal(35)
    assert year["attendance_rate"] == pytest.approx(145 / 180)
    assert year["chronic_absence"] is True
    assert year["school_id"] == "B"
    by_school = {row["school_id"]: row for row in result.student_school_year.to_dicts()}
    assert by_school["A"]["membership_days"] == Decimal(80)
    assert by_school["A"]["days_absent"] == Decimal(30)
    assert by_school["A"]["attendance_rate"] == pytest.approx(50 / 80)
    assert by_school["B"]["membership_days"] == Decimal(100)
    assert by_school["B"]["attendance_rate"] == pytest.approx(95 / 100)
    assert by_school["B"]["chronic_absence"] is False


@pytest.mark.parametrize(
    ("membership", "present", "chronic"),
    [(180, 162, True), (190, 171, True), (180, 163, False)],
)
def test_chronic_absence_includes_the_ten_percent_boundary(
    membership: int, present: int, chronic: bool
) -> None:
    days = weekdays(membership)
    rows = absences("S1", "A", days[: membership - present])

    year = student_row(
        compute_indicators(
            one_student(membership, rows), YEAR, as_of=days[-1]
        ).student_year
    )

    assert year["membership_days"] == Decimal(membership)
    assert year["days_absent"] == Decimal(membership - present)
    assert year["chronic_absence"] is chronic


def test_half_days_count_half_and_a_given_fraction_counts_as_given() -> None:
    days = weekdays(10)
    rows = absences("S1", "A", days[:4], PARTIAL) + absences(
        "S1", "A", days[4:5], PARTIAL, Decimal("0.25")
    )

    result = compute_indicators(one_student(10, rows), YEAR, as_of=days[-1])

    year = student_row(result.student_year)
    # four defaulted half days and a quarter day
    assert year["days_absent"] == Decimal("2.25")
    assert year["attendance_rate"] == pytest.approx(7.75 / 10)


def test_a_day_without_a_row_is_a_gap_in_an_every_day_source() -> None:
    days = weekdays(10)
    rows = absences("S1", "A", days[:8], PRESENT) + absences("S1", "A", days[8:9])
    every_day = one_student(10, rows, AttendanceMode.EVERY_DAY)

    result = compute_indicators(every_day, YEAR, as_of=days[-1])

    year = student_row(result.student_year)
    assert year["membership_days"] == Decimal(9)
    assert year["days_absent"] == Decimal(1)
    assert year["gap_days"] == 1
    assert result.report.gap_days == 1


def test_the_same_day_resolves_the_same_in_either_row_order() -> None:
    days = weekdays(5)
    unexcused = absences("S1", "A", days[2:3], UNEXCUSED)
    tardy = absences("S1", "A", days[2:3], TARDY)

    results = [
        student_row(compute_indicators(one_student(5, rows), YEAR).student_year)
        for rows in (unexcused + tardy, tardy + unexcused)
    ]

    assert results[0] == results[1]
    assert results[0]["days_absent"] == Decimal(1)
    assert results[0]["unexcused_absences"] == 1


def test_a_presences_source_reads_a_missing_row_as_absent() -> None:
    days = weekdays(1)
    students = [f"S{number}" for number in range(10)]
    enrolled = enrollments([(student, "A", days[0], None) for student in students])
    rows = [(student, "A", days[0], PRESENT, None) for student in students[:7]]
    presences = inputs(
        enrolled, attendance(rows), [calendar("A", days)], AttendanceMode.PRESENCES
    )

    daily = school_daily_rates(presences, YEAR).to_dicts()

    assert daily == [
        {
            "school_id": "A",
            "date": days[0],
            "enrolled": 10,
            "gaps": 0,
            "present": Decimal(7),
            "rate": pytest.approx(0.7),
        }
    ]


def _unexcused_by_month(
    per_month: list[int],
) -> list[tuple[str, str, date, AttendanceStatus, Decimal | None]]:
    # September to December 2024, each month's first weekdays
    starts = [date(2024, 9, 2), date(2024, 10, 1), date(2024, 11, 1), date(2024, 12, 2)]
    rows = []
    for start, count in zip(starts, per_month, strict=False):
        rows += absences("S1", "A", weekdays(count, start), UNEXCUSED)
    return rows


@pytest.mark.parametrize(
    ("per_month", "max_in_month", "truant"),
    [
        ([4], 4, True),
        ([3, 3, 3], 3, False),
        ([3, 3, 3, 1], 3, True),
        ([2, 3, 2, 3], 3, True),
    ],
)
def test_habitual_truancy_by_month_or_by_year(
    per_month: list[int], max_in_month: int, truant: bool
) -> None:
    autumn = weekdays(90, date(2024, 9, 2))
    rows = _unexcused_by_month(per_month)
    one = inputs(
        enrollments([("S1", "A", autumn[0], None)]),
        attendance(rows),
        [calendar("A", autumn)],
    )

    year = student_row(compute_indicators(one, YEAR, as_of=autumn[-1]).student_year)

    assert year["unexcused_absences"] == sum(per_month)
    assert year["max_unexcused_in_month"] == max_in_month
    assert year["habitual_truancy"] is truant


def _sessions(rows: list[tuple[str, date, date, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [("A", name, begin, end, total) for name, begin, end, total in rows],
        schema={
            "school_id": pl.String,
            "session_name": pl.String,
            "begin_date": pl.Date,
            "end_date": pl.Date,
            "instructional_days": pl.Int64,
        },
        orient="row",
    )


# Fall: Monday 2 September to Friday 27 December, 17 weeks, 85 weekdays for 80
# days (each weekday weighs 16/17). Spring: Monday 6 January to Friday 30 May,
# 21 weeks, 105 weekdays for 100 days (each weighs 20/21).
FALL = ("fall", date(2024, 9, 2), date(2024, 12, 27), 80)
SPRING = ("spring", date(2025, 1, 6), date(2025, 5, 30), 100)


def _session_school(
    entry: date,
    exit_: date | None,
    rows: list[tuple[str, str, date, AttendanceStatus, Decimal | None]],
) -> IndicatorInputs:
    return IndicatorInputs(
        enrollments=enrollments([("S1", "A", entry, exit_)]),
        attendance=attendance(rows),
        modes={"A": AttendanceMode.EXCEPTIONS},
        calendar_sessions=_sessions([FALL, SPRING]),
    )


def test_a_full_session_enrollment_has_exactly_the_sessions_totals() -> None:
    whole_year = _session_school(FALL[1], None, [])
    fall_only = _session_school(FALL[1], FALL[2], [])

    year = compute_indicators(whole_year, YEAR, as_of=SPRING[2]).student_year
    fall = compute_indicators(fall_only, YEAR, as_of=SPRING[2]).student_year

    assert student_row(year)["membership_days"] == Decimal(180)
    assert student_row(fall)["membership_days"] == Decimal(80)


@pytest.mark.parametrize(
    ("absent_weekdays", "days_absent", "chronic"),
    # 8 x 16/17 = 128/17 is under 8 of 80; 9 x 16/17 = 144/17 is over it.
    [(8, Decimal("7.529412"), False), (9, Decimal("8.470588"), True)],
)
def test_session_weights_decide_chronic_absence_exactly(
    absent_weekdays: int, days_absent: Decimal, chronic: bool
) -> None:
    rows = absences("S1", "A", weekdays(absent_weekdays, FALL[1]))
    fall_only = _session_school(FALL[1], FALL[2], rows)

    year = student_row(
        compute_indicators(fall_only, YEAR, as_of=SPRING[2]).student_year
    )

    assert year["days_absent"] == days_absent
    assert year["chronic_absence"] is chronic


def test_a_part_session_enrollment_weighs_its_weekdays() -> None:
    # 2 September to 25 October: 8 weeks, 40 weekdays of 16/17 = 640/17 days
    part = _session_school(FALL[1], date(2024, 10, 25), [])

    year = student_row(compute_indicators(part, YEAR, as_of=SPRING[2]).student_year)

    assert year["membership_days"] == Decimal("37.647059")


def _discipline_tables(days: list[date]) -> dict[str, pl.DataFrame]:
    actions = pl.DataFrame(
        [
            ("S1", "A", "I1", days[1], "out-of-school-suspension", Decimal(3)),
            ("S1", "A", "I2", days[5], "out-of-school-suspension", Decimal("2.5")),
            ("S1", "A", "I3", days[7], "in-school-suspension", Decimal(1)),
            ("S1", "A", None, days[8], "in-school-suspension", None),
            ("S1", "A", "I3", days[7], "law-enforcement-referral", None),
            ("S1", "A", "I4", days[9], "expulsion", None),
            # a year earlier: not this year's
            ("S1", "A", "I0", date(2024, 3, 1), "out-of-school-suspension", Decimal(5)),
        ],
        schema={
            "student_id": pl.String,
            "school_id": pl.String,
            "incident_id": pl.String,
            "date": pl.Date,
            "action": pl.String,
            "days": pl.Decimal(6, 1),
        },
        orient="row",
    )
    incidents = pl.DataFrame(
        [("I1", "A", days[1]), ("I2", "A", days[5]), ("I3", "A", days[7])],
        schema={"incident_id": pl.String, "school_id": pl.String, "date": pl.Date},
        orient="row",
    )
    behaviors = pl.DataFrame(
        [
            ("I1", "A", "S1", "fighting"),
            ("I2", "A", "S1", "fighting"),
            ("I2", "A", "S1", "weapon"),
            ("I3", "A", "S1", "defiance"),
            ("I3", "A", "S2", "fighting"),
        ],
        schema={
            "incident_id": pl.String,
            "school_id": pl.String,
            "student_id": pl.String,
            "behavior": pl.String,
        },
        orient="row",
    )
    return {
        "discipline_actions": actions,
        "incidents": incidents,
        "incident_behaviors": behaviors,
    }


def test_suspensions_and_expulsions_are_counted_with_their_days() -> None:
    days = weekdays(20)
    tables = _discipline_tables(days)
    with_discipline = IndicatorInputs(
        enrollments=enrollments([("S1", "A", days[0], None)]),
        attendance=attendance([]),
        modes={"A": AttendanceMode.EXCEPTIONS},
        calendar_days=calendar("A", days),
        discipline_actions=tables["discipline_actions"],
        incidents=tables["incidents"],
        incident_behaviors=tables["incident_behaviors"],
    )

    year = student_row(compute_indicators(with_discipline, YEAR).student_year)

    assert (year["oss_count"], year["oss_days"]) == (2, Decimal("5.5"))
    # an in-school suspension without days counts, and adds no days
    assert (year["iss_count"], year["iss_days"]) == (2, Decimal(1))
    assert year["expulsions"] == 1
    assert year["law_enforcement_referrals"] == 1
    # I1, I2, I3 through behaviours and I4 through the expulsion
    assert year["incidents"] == 4
    assert year["incidents_fighting"] == 2
    assert year["incidents_weapon"] == 1
    assert year["incidents_defiance"] == 1
    assert year["incidents_bullying"] == 0


def test_every_behaviour_category_has_a_column() -> None:
    year = compute_indicators(one_student(5, []), YEAR).student_year

    for category in BehaviorCategory:
        assert f"incidents_{category.value.replace('-', '_')}" in year.columns


def test_the_recent_window_is_the_latest_instructional_days() -> None:
    days = weekdays(40)
    # five absences among the first ten days, three among the last thirty
    rows = absences("S1", "A", days[:5]) + absences("S1", "A", days[-3:])

    year = student_row(compute_indicators(one_student(40, rows), YEAR).student_year)

    assert year["as_of"] == days[-1]
    assert year["recent_membership_days"] == Decimal(30)
    assert year["recent_days_absent"] == Decimal(3)
    assert year["recent_attendance_rate"] == pytest.approx(27 / 30)
    assert year["prior_attendance_rate"] == pytest.approx(5 / 10)


def test_as_of_ends_the_window_and_the_days_that_count() -> None:
    days = weekdays(40)
    rows = absences("S1", "A", days[:5]) + absences("S1", "A", days[-3:])
    agreement = Agreement(recent_window_days=10)

    result = compute_indicators(one_student(40, rows), YEAR, agreement, as_of=days[19])

    year = student_row(result.student_year)
    assert year["membership_days"] == Decimal(20)
    assert year["recent_membership_days"] == Decimal(10)
    assert year["recent_days_absent"] == Decimal(0)
    assert year["prior_attendance_rate"] == pytest.approx(5 / 10)
    assert result.report.rows_after_as_of == 3


def test_no_prior_rate_when_the_window_holds_the_whole_year() -> None:
    year = student_row(compute_indicators(one_student(20, []), YEAR).student_year)

    assert year["recent_membership_days"] == Decimal(20)
    assert year["prior_attendance_rate"] is None


def test_rows_outside_enrollment_or_off_the_calendar_are_ignored_and_counted() -> None:
    days = weekdays(10)
    saturday = date(2024, 8, 24)
    rows = absences("S1", "A", [days[0], saturday, days[9]])
    later_entry = inputs(
        enrollments([("S1", "A", days[1], None)]),
        attendance(rows),
        [calendar("A", days)],
    )

    result = compute_indicators(later_entry, YEAR)

    year = student_row(result.student_year)
    assert year["membership_days"] == Decimal(9)
    assert year["days_absent"] == Decimal(1)
    assert result.report.rows_outside_enrollment == 1
    assert result.report.rows_on_non_instructional_days == 1
    assert result.report.students == 1


def test_a_school_without_an_attendance_mode_is_refused() -> None:
    days = weekdays(5)
    without_mode = IndicatorInputs(
        enrollments=enrollments([("S1", "A", days[0], None)]),
        attendance=attendance([]),
        modes={},
        calendar_days=calendar("A", days),
    )

    with pytest.raises(YouthbridgeError, match="no attendance mode") as raised:
        compute_indicators(without_mode, YEAR)

    assert [problem.value for problem in raised.value.problems] == ["A"]


@pytest.fixture
def far_time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_time_zone")
def test_dates_do_not_move_with_the_process_time_zone() -> None:
    days = weekdays(10)
    rows = absences("S1", "A", days[-1:])

    result = compute_indicators(one_student(10, rows), YEAR)

    assert result.student_year.schema["as_of"] == pl.Date
    assert student_row(result.student_year)["as_of"] == days[-1]
    assert result.report.as_of == date(2024, 8, 30)


def test_a_million_rows_complete() -> None:
    # 5,000 students at 5 schools, every one of 200 days recorded
    days = pl.Series("date", weekdays(200), dtype=pl.Date)
    students = pl.DataFrame({"number": range(5_000)}).select(
        student_id=pl.format("S{}", "number"),
        school_id=pl.format("K{}", pl.col("number") % 5),
    )
    rows = students.join(days.to_frame(), how="cross").with_columns(
        status=pl.when(pl.int_range(pl.len()) % 20 == 0)
        .then(pl.lit(UNEXCUSED.value))
        .otherwise(pl.lit(PRESENT.value)),
        fraction_absent=pl.lit(None, pl.Decimal(5, 2)),
    )
    schools = [f"K{number}" for number in range(5)]
    large = IndicatorInputs(
        enrollments=students.with_columns(
            grade=pl.lit("09"),
            entry_date=pl.lit(days[0]),
            exit_date=pl.lit(None, pl.Date),
        ),
        attendance=rows,
        modes=dict.fromkeys(schools, AttendanceMode.EVERY_DAY),
        calendar_days=pl.concat([calendar(school, days) for school in schools]),
    )

    result = compute_indicators(large, YEAR)

    assert rows.height == 1_000_000
    assert result.report.students == 5_000
    totals = result.student_year.select(
        pl.col("membership_days").sum(), pl.col("days_absent").sum()
    )
    assert totals.row(0) == (Decimal(1_000_000), Decimal(50_000))


def test_overlapping_enrollments_at_one_school_count_each_day_once() -> None:
    days = weekdays(20)
    rows = absences("S1", "A", days[8:10])
    twice = inputs(
        enrollments([("S1", "A", days[0], days[11]), ("S1", "A", days[5], None)]),
        attendance(rows),
        [calendar("A", days)],
    )

    result = compute_indicators(twice, YEAR, as_of=days[-1])

    year = student_row(result.student_year)
    assert year["membership_days"] == Decimal(20)
    assert year["days_absent"] == Decimal(2)


def test_as_of_defaults_to_the_latest_attendance_or_the_years_end() -> None:
    days = weekdays(20)
    with_rows = one_student(20, absences("S1", "A", days[11:12]))
    without_rows = one_student(20, [])

    assert compute_indicators(with_rows, YEAR).report.as_of == days[11]
    assert compute_indicators(without_rows, YEAR).report.as_of == date(2025, 6, 30)


def test_an_enrolled_school_without_a_calendar_is_reported() -> None:
    days = weekdays(5)
    no_calendar = inputs(
        enrollments([("S1", "A", days[0], None), ("S2", "B", days[0], None)]),
        attendance([]),
        [calendar("A", days)],
    )

    result = compute_indicators(no_calendar, YEAR)

    assert result.report.schools_without_calendar == ("B",)
    assert student_row(result.student_year, "S2")["membership_days"] == Decimal(0)
    assert student_row(result.student_year, "S2")["attendance_rate"] is None


def test_overlapping_sessions_are_refused() -> None:
    overlapping = IndicatorInputs(
        enrollments=enrollments([("S1", "A", FALL[1], None)]),
        attendance=attendance([]),
        modes={"A": AttendanceMode.EXCEPTIONS},
        calendar_sessions=_sessions([FALL, ("quarter", FALL[1], FALL[1], 1)]),
    )

    with pytest.raises(YouthbridgeError, match="sessions overlap at school"):
        compute_indicators(overlapping, YEAR)


def test_a_status_outside_the_vocabulary_is_refused() -> None:
    days = weekdays(5)
    odd = one_student(5, [])
    rows = attendance(absences("S1", "A", days[:1])).with_columns(
        status=pl.lit("absent-ish")
    )
    odd = IndicatorInputs(
        enrollments=odd.enrollments,
        attendance=rows,
        modes=odd.modes,
        calendar_days=odd.calendar_days,
    )

    with pytest.raises(YouthbridgeError, match="not a canonical code"):
        compute_indicators(odd, YEAR)
