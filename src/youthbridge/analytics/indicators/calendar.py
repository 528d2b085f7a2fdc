"""Schools' instructional days, each with its weight in whole units of a day."""

from __future__ import annotations

import math
from fractions import Fraction

import polars as pl

from youthbridge.analytics.indicators.tables import IndicatorInputs, Period
from youthbridge.domain.errors import YouthbridgeError


def school_calendar(
    inputs: IndicatorInputs, period: Period
) -> tuple[pl.LazyFrame, int]:
    """Each school's instructional days in the period, with their weight.

    Weights are whole numbers of 1 / units of a day; the second value is units.
    """
    listed = _listed_days(inputs.calendar_days)
    sessions = _session_days(inputs.calendar_sessions, listed)
    units = _day_units(sessions)

    from_sessions = sessions.select(
        "school_id",
        "date",
        weight=pl.col("total") * units // pl.col("weekdays"),
    )
    from_list = listed.select("school_id", "date", weight=pl.lit(units, pl.Int64))
    days = pl.concat([from_list, from_sessions.lazy()], how="vertical")
    in_period = pl.col("date").is_between(period.first, period.last)
    return days.filter(in_period), units


def _listed_days(calendar_days: pl.DataFrame | None) -> pl.LazyFrame:
    if calendar_days is None:
        return pl.LazyFrame(schema={"school_id": pl.String, "date": pl.Date})
    return calendar_days.lazy().select("school_id", "date").unique()


def _session_days(
    calendar_sessions: pl.DataFrame | None, listed: pl.LazyFrame
) -> pl.DataFrame:
    """The weekdays of the sessions of schools that list no days, with the totals."""
    schema = {"school_id": pl.String, "date": pl.Date, "total": pl.Int64}
    if calendar_sessions is None:
        return pl.DataFrame(schema={**schema, "weekdays": pl.UInt32})

    weekdays = pl.date_ranges("begin_date", "end_date").list.filter(
        pl.element().dt.weekday() <= 5
    )
    sessions = (
        calendar_sessions.lazy()
        .join(listed.select("school_id").unique(), on="school_id", how="anti")
        .select("school_id", date=weekdays, total="instructional_days")
        .with_columns(weekdays=pl.col("date").list.len())
        .collect()
    )
    _check_empty_sessions(sessions)

    days = sessions.explode("date").drop_nulls("date")
    _check_overlaps(days)
    return days


def _check_empty_sessions(sessions: pl.DataFrame) -> None:
    empty = sessions.filter((pl.col("weekdays") == 0) & (pl.col("total") > 0))
    if empty.height:
        schools = ", ".join(sorted(set(empty.get_column("school_id"))))
        raise YouthbridgeError(
            f"a session with instructional days has no weekdays at school(s) {schools}",
            code="calendar",
        )


def _check_overlaps(days: pl.DataFrame) -> None:
    # Overlapping sessions (a semester and its quarters) would count a day twice
    # with two different weights, and neither weight is the right one.
    overlaps = days.filter(pl.struct("school_id", "date").is_duplicated())
    if overlaps.height:
        schools = ", ".join(sorted(set(overlaps.get_column("school_id"))))
        raise YouthbridgeError(
            f"sessions overlap at school(s) {schools}: give each instructional"
            " day once, or list the days",
            code="calendar",
        )


def _day_units(sessions: pl.DataFrame) -> int:
    """The least common denominator of every session's weight total / weekdays."""
    pairs = sessions.select("total", "weekdays").unique().iter_rows()
    denominators = [Fraction(total, weekdays).denominator for total, weekdays in pairs]
    return math.lcm(1, *denominators)


def recent_starts(calendar: pl.LazyFrame, window: int) -> pl.LazyFrame:
    """Per school, the first of its latest `window` instructional days in the period."""
    position = pl.col("date").rank("ordinal", descending=True).over("school_id")
    return (
        calendar.filter(position <= window)
        .group_by("school_id")
        .agg(recent_start=pl.col("date").min())
    )
