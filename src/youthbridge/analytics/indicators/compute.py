"""The indicators' outputs, computed from the shared member days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from youthbridge.analytics.indicators.calendar import recent_starts, school_calendar
from youthbridge.analytics.indicators.days import (
    DayKeys,
    day_keys,
    enrollments_in_period,
    fraction_units_of,
    member_days_with_attendance,
    membership_days,
    resolve_days,
)
from youthbridge.analytics.indicators.discipline import (
    DISCIPLINE_COLUMNS,
    DISCIPLINE_NAMES,
    INCIDENT_COLUMNS,
    INCIDENT_NAMES,
    discipline_counts,
    incident_counts,
)
from youthbridge.analytics.indicators.tables import (
    ENROLLMENT_KEY,
    NUMBERS,
    IndicatorInputs,
    IndicatorReport,
    IndicatorResult,
    Period,
    Scale,
)
from youthbridge.domain.agreement import Agreement
from youthbridge.domain.errors import Problem, YouthbridgeError
from youthbridge.domain.schoolyear import SchoolYear

DAYS_SCALE = 6
# Past this many quanta per day, sums of a year could leave Int128.
_MAX_QUANTUM = 10**24


@dataclass(frozen=True)
class _Plan:
    period: Period
    scale: Scale
    keys: DayKeys
    calendar: pl.LazyFrame
    resolved: pl.DataFrame
    member_days: pl.DataFrame


def compute_indicators(
    inputs: IndicatorInputs,
    school_year: SchoolYear,
    agreement: Agreement | None = None,
    as_of: date | None = None,
) -> IndicatorResult:
    """Every student's indicators for the year, overall and school by school."""
    terms = agreement or Agreement()
    plan = _plan(inputs, school_year, terms, as_of)

    enrolled = plan.keys.numbered(
        enrollments_in_period(inputs.enrollments, plan.period)
    )
    queries = [
        _student_year(inputs, plan, enrolled, terms),
        _student_school_year(plan, enrolled, terms),
        _ignored_rows(plan),
        plan.member_days.lazy().select(gaps=pl.col("is_gap").sum()),
        _schools_without_calendar(enrolled, plan.calendar),
    ]
    student_year, by_school, ignored, gaps, missing = pl.collect_all(queries)

    report = IndicatorReport(
        as_of=plan.period.last,
        students=student_year.height,
        gap_days=int(gaps.item(0, 0) or 0),
        rows_outside_enrollment=int(ignored.item(0, "outside_enrollment") or 0),
        rows_on_non_instructional_days=int(ignored.item(0, "non_instructional") or 0),
        rows_after_as_of=_rows_after(inputs.attendance, plan.period),
        schools_without_calendar=tuple(sorted(missing.get_column("school_id"))),
    )
    return IndicatorResult(student_year, by_school, report)


def school_daily_rates(
    inputs: IndicatorInputs,
    school_year: SchoolYear,
    agreement: Agreement | None = None,
    as_of: date | None = None,
) -> pl.DataFrame:
    """Per school and instructional day: students enrolled, gaps, present, rate.

    `present` is fractional (a half day counts half) and `rate` is present over the
    enrolled students whose day is known (enrolled minus gaps).
    """
    plan = _plan(inputs, school_year, agreement or Agreement(), as_of)
    fraction = plan.scale.fraction
    present_units = pl.lit(fraction) - pl.col("fraction_units")

    daily = (
        plan.member_days.lazy()
        .group_by("kid", "date")
        .agg(
            enrolled=pl.len().cast(pl.Int64),
            gaps=pl.col("is_gap").sum().cast(pl.Int64),
            present_units=present_units.filter(~pl.col("is_gap")).sum(),
        )
    )
    known = pl.col("enrolled") - pl.col("gaps")
    return (
        daily.with_columns(
            present=_as_decimal(pl.col("present_units"), _scale_of(fraction)),
            rate=pl.when(known > 0).then(
                pl.col("present_units") / fraction / known.cast(pl.Float64)
            ),
        )
        .join(plan.keys.school_numbers, on="kid")
        .select("school_id", "date", "enrolled", "gaps", "present", "rate")
        .sort("school_id", "date")
        .collect()
    )


# -- the plan shared by every output ------------------------------------------------


def _plan(
    inputs: IndicatorInputs,
    school_year: SchoolYear,
    agreement: Agreement,
    as_of: date | None,
) -> _Plan:
    period = _period(inputs.attendance, school_year, agreement, as_of)
    _check_modes(inputs)
    fraction = fraction_units_of(inputs.attendance.schema["fraction_absent"])

    calendar, day_units = school_calendar(inputs, period)
    scale = Scale(day_units, fraction)
    if scale.quantum > _MAX_QUANTUM:
        raise YouthbridgeError(
            "the session calendars' weekday counts share no small common"
            " denominator; list the instructional days instead",
            code="calendar",
        )

    keys = day_keys(inputs.enrollments, calendar, period)
    recent = recent_starts(calendar, agreement.recent_window_days)
    membership = membership_days(inputs.enrollments, calendar, period, keys)
    # Materialised once: every output and the report read these two frames.
    resolved = resolve_days(inputs.attendance, period, fraction, keys).collect()
    member_days = member_days_with_attendance(
        membership, resolved.lazy(), recent, inputs.modes, scale, keys
    ).collect()
    return _Plan(period, scale, keys, calendar, resolved, member_days)


def _period(
    attendance: pl.DataFrame,
    school_year: SchoolYear,
    agreement: Agreement,
    as_of: date | None,
) -> Period:
    start = (agreement.school_year_start_month, agreement.school_year_start_day)
    first, year_last = school_year.first_day(*start), school_year.last_day(*start)
    if as_of is None:
        in_year = attendance.get_column("date").filter(
            attendance.get_column("date").is_between(first, year_last)
        )
        latest = in_year.max()
        as_of = latest if isinstance(latest, date) else year_last
    if as_of < first:
        raise YouthbridgeError(
            f"as of {as_of.isoformat()} is before the school year"
            f" {school_year.label} begins ({first.isoformat()})",
            code="as-of",
        )
    return Period(first, min(as_of, year_last), year_last, school_year.label)


def _check_modes(inputs: IndicatorInputs) -> None:
    schools = inputs.enrollments.get_column("school_id").unique().sort()
    missing = [school for school in schools if school not in inputs.modes]
    if missing:
        raise YouthbridgeError(
            f"{len(missing)} school(s) have no attendance mode, so a day without"
            " a row cannot be read: declare one per school",
            code="attendance-mode",
            problems=[_mode_problem(school) for school in missing],
        )


def _mode_problem(school: str) -> Problem:
    return Problem(
        file="modes",
        line=None,
        column="school_id",
        value=school,
        rule="indicators:attendance-mode",
        message="the school has enrollments but no attendance mode",
    )


# -- student outputs ----------------------------------------------------------------


def _attendance_sums(member_days: pl.LazyFrame, *keys: str) -> pl.LazyFrame:
    recent = pl.col("in_recent")
    return member_days.group_by(*keys).agg(
        membership_q=pl.col("weight_q").sum(),
        absent_q=pl.col("absent_q").sum(),
        recent_q=pl.when(recent).then("weight_q").otherwise(0).sum(),
        recent_absent_q=pl.when(recent).then("absent_q").otherwise(0).sum(),
        gap_days=pl.col("is_gap").sum(),
        unexcused_absences=pl.col("is_unexcused").sum(),
    )


def _truancy(member_days: pl.LazyFrame) -> pl.LazyFrame:
    month = pl.col("date").dt.year() * 12 + pl.col("date").dt.month()
    per_month = (
        member_days.filter("is_unexcused")
        .group_by("sid", month.alias("month"))
        .agg(unexcused=pl.len())
    )
    return per_month.group_by("sid").agg(
        max_unexcused_in_month=pl.col("unexcused").max()
    )


def _student_year(
    inputs: IndicatorInputs,
    plan: _Plan,
    enrolled: pl.LazyFrame,
    agreement: Agreement,
) -> pl.LazyFrame:
    students = _latest_enrollment(enrolled)
    sums = _attendance_sums(plan.member_days.lazy(), "sid")

    frame = (
        students.join(sums, on="sid", how="left")
        .join(_truancy(plan.member_days.lazy()), on="sid", how="left")
        .join(
            discipline_counts(inputs.discipline_actions, plan.period),
            on="student_id",
            how="left",
        )
        .join(incident_counts(inputs, plan.period), on="student_id", how="left")
        .with_columns(_zero_counts())
        .with_columns(prior_q=pl.col("membership_q") - pl.col("recent_q"))
    )
    return frame.select(_student_year_columns(plan, agreement)).sort("student_id")


def _student_year_columns(plan: _Plan, agreement: Agreement) -> list[pl.Expr]:
    quantum = plan.scale.quantum
    truant = (
        pl.col("max_unexcused_in_month") >= agreement.truancy_unexcused_per_month
    ) | (pl.col("unexcused_absences") >= agreement.truancy_unexcused_per_year)
    prior_absent = pl.col("absent_q") - pl.col("recent_absent_q")
    return [
        pl.col("student_id"),
        pl.lit(plan.period.label).alias("school_year"),
        _days("membership_q", quantum).alias("membership_days"),
        _days("absent_q", quantum).alias("days_absent"),
        pl.col("gap_days").cast(pl.Int64),
        _rate(pl.col("absent_q"), pl.col("membership_q")).alias("attendance_rate"),
        _chronic("absent_q", "membership_q", agreement).alias("chronic_absence"),
        pl.col("unexcused_absences", "max_unexcused_in_month").cast(pl.Int64),
        truant.alias("habitual_truancy"),
        *DISCIPLINE_COLUMNS,
        *INCIDENT_COLUMNS,
        _days("recent_q", quantum).alias("recent_membership_days"),
        _days("recent_absent_q", quantum).alias("recent_days_absent"),
        _rate(pl.col("recent_absent_q"), pl.col("recent_q")).alias(
            "recent_attendance_rate"
        ),
        _rate(prior_absent, pl.col("prior_q")).alias("prior_attendance_rate"),
        pl.lit(plan.period.last, pl.Date).alias("as_of"),
        pl.col("grade", "school_id"),
    ]


def _student_school_year(
    plan: _Plan, enrolled: pl.LazyFrame, agreement: Agreement
) -> pl.LazyFrame:
    pairs = enrolled.select(*ENROLLMENT_KEY, *NUMBERS).unique()
    sums = _attendance_sums(plan.member_days.lazy(), *NUMBERS)
    quantum = plan.scale.quantum
    return (
        pairs.join(sums, on=list(NUMBERS), how="left")
        .with_columns(pl.col("membership_q", "absent_q").fill_null(0))
        .select(
            *ENROLLMENT_KEY,
            school_year=pl.lit(plan.period.label),
            membership_days=_days("membership_q", quantum),
            days_absent=_days("absent_q", quantum),
            attendance_rate=_rate(pl.col("absent_q"), pl.col("membership_q")),
            chronic_absence=_chronic("absent_q", "membership_q", agreement),
        )
        .sort(*ENROLLMENT_KEY)
    )


def _latest_enrollment(enrolled: pl.LazyFrame) -> pl.LazyFrame:
    """Per student, the grade and school of the enrollment that began last."""
    order = [pl.col("start"), pl.col("end"), pl.col("school_id")]
    return enrolled.group_by("student_id", "sid").agg(
        grade=pl.col("grade").sort_by(order).last(),
        school_id=pl.col("school_id").sort_by(order).last(),
    )


def _zero_counts() -> list[pl.Expr]:
    """A student with no row in a count's table has a count of nothing."""
    quanta = ["membership_q", "absent_q", "recent_q", "recent_absent_q"]
    counts = ["gap_days", "unexcused_absences", "max_unexcused_in_month"]
    discipline = [name for name in DISCIPLINE_NAMES if not name.endswith("_days")]
    return [
        pl.col(*quanta).fill_null(0),
        pl.col(*counts, *discipline, *INCIDENT_NAMES).fill_null(0),
        pl.col("iss_days", "oss_days").fill_null(Decimal(0)),
    ]


# -- report -------------------------------------------------------------------------


def _ignored_rows(plan: _Plan) -> pl.LazyFrame:
    """Attendance rows in the period that fall outside every membership day."""
    keys = plan.keys
    instructional = keys.numbered(
        plan.calendar.with_columns(student_id=pl.lit(None, pl.String))
    ).select(school_day=keys.school_day(keys.day()), on_calendar=pl.lit(True))
    outside = (
        plan.resolved.lazy()
        .join(plan.member_days.lazy().select("day_key"), on="day_key", how="anti")
        .with_columns(school_day=keys.school_day(pl.col("day_key")))
        .join(instructional, on="school_day", how="left")
    )
    on_calendar = pl.col("on_calendar").fill_null(False)
    return outside.select(
        outside_enrollment=pl.col("rows").filter(on_calendar).sum(),
        non_instructional=pl.col("rows").filter(~on_calendar).sum(),
    )


def _rows_after(attendance: pl.DataFrame, period: Period) -> int:
    after = pl.col("date").is_between(period.last, period.year_last, closed="right")
    return attendance.filter(after).height


def _schools_without_calendar(
    enrolled: pl.LazyFrame, calendar: pl.LazyFrame
) -> pl.LazyFrame:
    return (
        enrolled.select("school_id")
        .unique()
        .join(calendar.select("school_id").unique(), on="school_id", how="anti")
    )


# -- exact amounts as columns -------------------------------------------------------


def _days(quanta: str, quantum: int) -> pl.Expr:
    """Quanta as days, a decimal rounded half up to DAYS_SCALE places."""
    shift = 10**DAYS_SCALE
    rounded = (pl.col(quanta) * (2 * shift) + quantum) // (2 * quantum)
    return _as_decimal(rounded, DAYS_SCALE)


def _as_decimal(units: pl.Expr, scale: int) -> pl.Expr:
    """A whole number of 10**-scale as a decimal, without passing through floats."""
    step = pl.lit(Decimal(1).scaleb(-scale), pl.Decimal(38, scale))
    return units.cast(pl.Decimal(38, 0)) * step


def _scale_of(units: int) -> int:
    return len(str(units)) - 1


def _rate(absent: pl.Expr, membership: pl.Expr) -> pl.Expr:
    """The share attended, for display only; null without membership."""
    attended = (membership - absent).cast(pl.Float64)
    return pl.when(membership > 0).then(attended / membership.cast(pl.Float64))


def _chronic(absent: str, membership: str, agreement: Agreement) -> pl.Expr:
    """The domain's chronic-absence rule on whole numbers of quanta."""
    share = agreement.chronic_absence_share
    reached = pl.col(absent) * share.denominator >= pl.col(membership) * share.numerator
    return reached & (pl.col(membership) > 0)
