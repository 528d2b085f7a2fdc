"""Membership days and the attendance each of them comes to, on whole-number keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from youthbridge.analytics.indicators.tables import NUMBERS, Period, Scale
from youthbridge.domain.codes import AttendanceMode, AttendanceStatus
from youthbridge.domain.errors import YouthbridgeError
from youthbridge.domain.indicators import (
    DEFAULT_FRACTION_ABSENT,
    STATUS_RANK,
    fraction_absent_without_row,
)

# A school year has at most 366 days; a day key keeps 512 places for them.
_DAYS_PER_KEY = 512
_UNEXCUSED_RANK = STATUS_RANK[AttendanceStatus.UNEXCUSED_ABSENCE]


@dataclass(frozen=True)
class DayKeys:
    """One Int64 per student, school and date, so the large joins use one column.

    Students and schools are numbered; a row whose student or school has no
    enrollment takes the number after the last, which no membership day has.
    """

    students: pl.DataFrame  # student_id, sid
    schools: dict[str, int]
    first: date

    @property
    def school_numbers(self) -> pl.LazyFrame:
        return pl.LazyFrame(
            {"school_id": list(self.schools), "kid": list(self.schools.values())},
            schema={"school_id": pl.String, "kid": pl.Int64},
        )

    @property
    def school_span(self) -> int:
        return len(self.schools) + 1

    def numbered(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        school = pl.col("school_id").replace_strict(
            self.schools, default=len(self.schools), return_dtype=pl.Int64
        )
        return frame.join(
            self.students.lazy(), on="student_id", how="left"
        ).with_columns(
            sid=pl.col("sid").fill_null(self.students.height).cast(pl.Int64),
            kid=school,
        )

    def numbered_schools(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """A per-school frame keyed by school number instead of school id."""
        return frame.join(self.school_numbers, on="school_id").drop("school_id")

    def day(self) -> pl.Expr:
        offset = (pl.col("date") - pl.lit(self.first)).dt.total_days()
        pair = pl.col("sid") * self.school_span + pl.col("kid")
        return pair * _DAYS_PER_KEY + offset

    def school_day(self, day_key: pl.Expr) -> pl.Expr:
        """The school and date of a day key, as a key of the calendar."""
        school = day_key // _DAYS_PER_KEY % self.school_span
        return school * _DAYS_PER_KEY + day_key % _DAYS_PER_KEY


def day_keys(
    enrollments: pl.DataFrame, calendar: pl.LazyFrame, period: Period
) -> DayKeys:
    students = (
        enrollments.select("student_id")
        .unique(maintain_order=True)
        .with_row_index("sid")
    )
    calendar_schools = calendar.select("school_id").unique().collect()
    schools = pl.concat(
        [enrollments.get_column("school_id"), calendar_schools.get_column("school_id")]
    )
    numbers = {school: number for number, school in enumerate(schools.unique().sort())}
    return DayKeys(students, numbers, period.first)


def fraction_units_of(dtype: pl.DataType) -> int:
    """Units per day of the fractions absent: enough for the source and for 0.5."""
    if not isinstance(dtype, pl.Decimal):
        raise YouthbridgeError(
            f"`fraction_absent` must be typed as an exact decimal, not {dtype}",
            code="indicators-input",
        )
    digits: int = max(int(dtype.scale), 1)
    return int(10**digits)


def enrollments_in_period(enrollments: pl.DataFrame, period: Period) -> pl.LazyFrame:
    """The enrollments that overlap the period, clipped to it."""
    exit_date = pl.col("exit_date").fill_null(period.year_last)
    return (
        enrollments.lazy()
        .filter((pl.col("entry_date") <= period.last) & (exit_date >= period.first))
        .with_columns(
            start=pl.max_horizontal("entry_date", pl.lit(period.first)),
            end=pl.min_horizontal(exit_date, pl.lit(period.last)),
        )
    )


def membership_days(
    enrollments: pl.DataFrame,
    calendar: pl.LazyFrame,
    period: Period,
    keys: DayKeys,
) -> pl.LazyFrame:
    return (
        _merged_stays(keys.numbered(enrollments_in_period(enrollments, period)))
        .join(calendar, on="school_id")
        .filter(pl.col("date").is_between(pl.col("start"), pl.col("end")))
        .select(*NUMBERS, "date", "weight", day_key=keys.day())
    )


def _merged_stays(enrolled: pl.LazyFrame) -> pl.LazyFrame:
    """A student's enrollments at one school, overlapping ones merged into one.

    Two enrollments at one school that overlap are one membership, not two; merging
    the few enrollments is far cheaper than removing duplicate days afterwards.
    """
    pair = ["school_id", *NUMBERS]
    reach = pl.col("end").cum_max().shift(1).over(pair, order_by="start")
    stay = (
        (pl.col("start") > reach).fill_null(True).cum_sum().over(pair, order_by="start")
    )
    return (
        enrolled.with_columns(stay=stay)
        .group_by(*pair, "stay")
        .agg(pl.col("start").min(), pl.col("end").max())
    )


def resolve_days(
    attendance: pl.DataFrame, period: Period, fraction: int, keys: DayKeys
) -> pl.LazyFrame:
    """One row per student, school and date: the day after precedence.

    The strongest status wins and, within it, the largest fraction given. Both are
    folded into one integer so that a single `min` finds them, whatever the row
    order: rank * (F + 2) + (F + 1 - g), where g is 0 for a row with no fraction
    and the fraction's units plus one otherwise.
    """
    _check_statuses(attendance)
    ranks = {status.value: rank for status, rank in STATUS_RANK.items()}
    defaults = {
        STATUS_RANK[status]: int(value * fraction)
        for status, value in DEFAULT_FRACTION_ABSENT.items()
    }
    width = fraction + 2
    given = (pl.col("fraction_absent") * fraction).cast(pl.Int64) + 1

    in_period = attendance.lazy().filter(
        pl.col("date").is_between(period.first, period.last)
    )
    resolved = (
        keys.numbered(in_period)
        .with_columns(
            rank=pl.col("status").replace_strict(ranks, return_dtype=pl.Int64)
        )
        .with_columns(
            score=pl.col("rank") * width + (fraction + 1) - given.fill_null(0)
        )
        .group_by(day_key=keys.day())
        .agg(score=pl.col("score").min(), rows=pl.len())
    )
    rank = pl.col("score") // width
    units = (fraction + 1) - pl.col("score") % width - 1
    default = rank.replace_strict(defaults, return_dtype=pl.Int64)
    return resolved.select(
        "day_key",
        "rows",
        rank=rank,
        fraction_units=pl.when(units >= 0).then(units).otherwise(default),
    )


def _check_statuses(attendance: pl.DataFrame) -> None:
    known = [status.value for status in AttendanceStatus]
    unknown = attendance.filter(~pl.col("status").is_in(known))
    if unknown.height:
        shown = ", ".join(sorted(set(unknown.get_column("status").head(5))))
        raise YouthbridgeError(
            f"{unknown.height} attendance row(s) have a status that is not a"
            f" canonical code ({shown}); map them when reading",
            code="indicators-input",
        )


def member_days_with_attendance(
    membership: pl.LazyFrame,
    resolved: pl.LazyFrame,
    recent: pl.LazyFrame,
    modes: Mapping[str, AttendanceMode],
    scale: Scale,
    keys: DayKeys,
) -> pl.LazyFrame:
    """Every membership day with its weight and absence in quanta of a day."""
    missing = _missing_row_units(modes, scale.fraction, keys)
    has_row = pl.col("rank").is_not_null()
    units = pl.when(has_row).then("fraction_units").otherwise("missing_units")
    weight = pl.col("weight").cast(pl.Int128)
    gap = pl.col("fraction_units").is_null()

    return (
        membership.join(resolved, on="day_key", how="left")
        .join(missing, on="kid", how="left")
        .join(keys.numbered_schools(recent), on="kid", how="left")
        .with_columns(fraction_units=units)
        .select(
            *NUMBERS,
            "date",
            "day_key",
            "fraction_units",
            is_gap=gap,
            is_unexcused=(pl.col("rank") == _UNEXCUSED_RANK).fill_null(False),
            in_recent=(pl.col("date") >= pl.col("recent_start")).fill_null(False),
            weight_q=pl.when(gap).then(0).otherwise(weight * scale.fraction),
            absent_q=(weight * pl.col("fraction_units")).fill_null(0),
        )
    )


def _missing_row_units(
    modes: Mapping[str, AttendanceMode], fraction: int, keys: DayKeys
) -> pl.LazyFrame:
    units = {}
    for school, mode in modes.items():
        meaning = fraction_absent_without_row(mode)
        units[school] = None if meaning is None else int(meaning * fraction)
    frame = pl.LazyFrame(
        {"school_id": list(units), "missing_units": list(units.values())},
        schema={"school_id": pl.String, "missing_units": pl.Int64},
    )
    return keys.numbered_schools(frame)
