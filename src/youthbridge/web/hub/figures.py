"""The hub's figures for the pages: trends as charts and the at-risk list.

Everything shown comes from `trend` and `at_risk_review`, so a suppressed cell is
left out of a chart exactly as it is in the report, and the page says how many.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from youthbridge.domain.disclosure import AGE_BANDS
from youthbridge.hub.charts import bar_chart, shown_rates
from youthbridge.hub.node import HubNode
from youthbridge.hub.review import Review, at_risk_review
from youthbridge.hub.store import current_incidents, current_records
from youthbridge.hub.trends import Dimension, Trend, trend


@dataclass(frozen=True)
class Figure:
    """One chart and the table behind it, for people who cannot see the chart."""

    key: str
    title: str
    svg: str
    left_out: int
    columns: list[str]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class FlaggedStudent:
    pseudonym: str
    district: str
    level: str
    flags: list[tuple[str, str]]  # (rule code, its explanation)


@dataclass(frozen=True)
class _Chart:
    key: str
    dimension: Dimension
    category: str
    rate: str
    title: str


_CHARTS = (
    _Chart("zip", Dimension.ZIP, "zip_area", "chronic_absence_rate",
           "Chronic absence by zip code"),
    _Chart("age", Dimension.AGE, "age_group", "chronic_absence_rate",
           "Chronic absence by age band"),
    _Chart("month", Dimension.MONTH, "month", "suspended_rate",
           "Students suspended, by month"),
    _Chart("school-year", Dimension.DISTRICT, "school_year",
           "chronic_absence_rate", "Chronic absence by school year"),
)  # fmt: skip


def current_data(hub: HubNode) -> tuple[pl.DataFrame, pl.DataFrame]:
    with hub.sessions() as session:
        return current_records(session), current_incidents(session)


def trend_figures(hub: HubNode) -> list[Figure]:
    """The dashboard's charts: by zip code, age band, month and school year."""
    records, incidents = current_data(hub)
    if records.is_empty():
        return []
    return [
        _figure(trend(records, incidents, chart.dimension, hub.agreement), chart)
        for chart in _CHARTS
    ]


def _figure(shown: Trend, chart: _Chart) -> Figure:
    display, mask = shown.shown.display, shown.shown.suppressed_mask
    rows, left_out = shown_rates(display, mask, chart.rate)
    order = list(AGE_BANDS) if chart.dimension is Dimension.AGE else None
    svg = bar_chart(
        rows,
        category=chart.category,
        value=chart.rate,
        title=chart.title,
        color="district",
        order=order,
    )
    wanted = dict.fromkeys(
        ["school_year", "district", chart.category, "students", chart.rate]
    )
    table = display.select([name for name in wanted if name in display.columns])
    return Figure(
        chart.key, chart.title, svg, left_out, table.columns, table.to_dicts()
    )


def review_of(hub: HubNode) -> Review:
    records, incidents = current_data(hub)
    return at_risk_review(records, incidents, hub.agreement)


def flagged_students(review: Review, district: str | None) -> list[FlaggedStudent]:
    """Each student with an active flag, with every flag's reason."""
    active = review.flags.filter(pl.col("active"))
    reasons: dict[str, list[tuple[str, str]]] = {}
    for row in active.sort("pseudonym", "rule").iter_rows(named=True):
        reasons.setdefault(row["pseudonym"], []).append(
            (str(row["rule"]), str(row["explanation"]))
        )
    students = review.students
    if district:
        students = students.filter(pl.col("district") == district)
    return [
        FlaggedStudent(
            str(row["pseudonym"]),
            str(row["district"]),
            str(row["level"]),
            reasons.get(str(row["pseudonym"]), []),
        )
        for row in students.sort("district", "level", "pseudonym").iter_rows(named=True)
    ]
