"""The hub's report: trends, the at-risk counts and the disclosure reports.

A self-contained HTML page (charts inline as SVG, no script, no network) and one
CSV file per table. Every number in it has been through small-cell suppression;
the CSV files are written with spreadsheet formulas neutralised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.disclosure import AGE_BANDS
from youthbridge.domain.suppression import suppress
from youthbridge.hub.charts import bar_chart, count_chart, shown_rates
from youthbridge.hub.review import Review
from youthbridge.hub.trends import COUNT_COLUMNS, Dimension, Trend
from youthbridge.security.exports import write_csv
from youthbridge.storage.base import utcnow

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("youthbridge.hub", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)


def _percent(value: object) -> str:
    """A share shown as a percentage; a marker or an empty cell as it is."""
    try:
        return f"{float(str(value)) * 100:.1f}%"
    except ValueError:
        return "" if value is None else str(value)


_TEMPLATES.filters["percent"] = _percent


@dataclass
class ReportInputs:
    """What the report shows; `benchmarks` holds reference rates, if any.

    `consent_path` is the demo's walk of a few students through outreach and
    consent, as counts per step; a report of real work has none.
    """

    title: str
    trends: dict[Dimension, Trend]
    review: Review
    releases: list[dict[str, Any]]
    agreement: Agreement
    benchmarks: dict[str, float] = field(default_factory=dict)
    consent_path: dict[str, Any] | None = None


@dataclass(frozen=True)
class WrittenReport:
    page: Path
    tables: list[Path]
    district_rates: dict[str, float]


def write_report(inputs: ReportInputs, folder: Path) -> WrittenReport:
    """Write the page and its CSV tables into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = [_write_trend_csv(trend, folder) for trend in inputs.trends.values()]
    at_risk = _at_risk_counts(inputs.review, inputs.agreement)
    tables.append(
        _write_frame_csv(at_risk, folder / "at-risk-by-district-and-rule.csv")
    )

    rates = _district_rates(inputs.trends[Dimension.DISTRICT])
    page = folder / "index.html"
    html = _TEMPLATES.get_template("report.html").render(
        title=inputs.title,
        generated=utcnow().strftime("%Y-%m-%d %H:%M UTC"),
        marker=inputs.agreement.suppression_marker,
        minimum=inputs.agreement.small_cell_minimum,
        district_rows=inputs.trends[Dimension.DISTRICT].shown.display.to_dicts(),
        rates=rates,
        benchmarks=inputs.benchmarks,
        charts=_charts(inputs, at_risk),
        review_on=inputs.review.on.isoformat(),
        at_risk_rows=at_risk.to_dicts(),
        releases=inputs.releases,
        consent_path=inputs.consent_path,
        tables=[path.name for path in tables],
    )
    page.write_text(html, encoding="utf-8")
    return WrittenReport(page, tables, rates)


def _district_rates(trend: Trend) -> dict[str, float]:
    """Each district's latest chronic-absence rate, where it may be shown."""
    display, mask = trend.shown.display, trend.shown.suppressed_mask
    rows, _ = shown_rates(display, mask, "chronic_absence_rate")
    return {str(row["district"]): float(row["chronic_absence_rate"]) for row in rows}


def _charts(inputs: ReportInputs, at_risk: pl.DataFrame) -> list[dict[str, Any]]:
    specs = [
        (
            Dimension.ZIP,
            "zip_area",
            "chronic_absence_rate",
            "Chronic absence by zip code",
        ),
        (
            Dimension.AGE,
            "age_group",
            "chronic_absence_rate",
            "Chronic absence by age band",
        ),
        (Dimension.MONTH, "month", "suspended_rate", "Students suspended, by month"),
    ]
    charts = []
    for dimension, category, rate, title in specs:
        trend = inputs.trends[dimension]
        rows, left_out = shown_rates(
            trend.shown.display, trend.shown.suppressed_mask, rate
        )
        order = list(AGE_BANDS) if dimension is Dimension.AGE else None
        svg = bar_chart(
            rows,
            category=category,
            value=rate,
            title=title,
            color="district",
            order=order,
        )
        charts.append({"title": title, "left_out": left_out, "svg": svg})
    counts = at_risk.filter(pl.col("students") != inputs.agreement.suppression_marker)
    charts.append(
        {
            "title": "Students flagged, by district and rule",
            "left_out": at_risk.height - counts.height,
            "svg": count_chart(
                counts.with_columns(pl.col("students").cast(pl.Int64)).to_dicts(),
                category="rule",
                value="students",
                title="Students flagged, by district and rule",
                color="district",
            ),
        }
    )
    return charts


def _at_risk_counts(review: Review, agreement: Agreement) -> pl.DataFrame:
    active = review.flags.filter(pl.col("active"))
    counts = (
        active.group_by("district", "rule")
        .agg(pl.col("pseudonym").n_unique().alias("students"))
        .sort("district", "rule")
    )
    shown = suppress(
        counts,
        count_columns=["students"],
        rate_specs=[],
        minimum=agreement.small_cell_minimum,
        marker=agreement.suppression_marker,
        group_by_for_complement=None,
    )
    return shown.display


def _write_trend_csv(trend: Trend, folder: Path) -> Path:
    return _write_frame_csv(
        trend.shown.display, folder / f"trends-by-{trend.dimension}.csv"
    )


def _write_frame_csv(frame: pl.DataFrame, path: Path) -> Path:
    # Counts, rates and changes are text here: a number, or the marker. Declared
    # numeric, a number stays a number (a fall of -2.1 points included) while any
    # other text that could start a formula is still neutralised.
    numeric = [name for name in frame.columns if _is_figure(name)]
    write_csv(frame.to_dicts(), frame.columns, numeric, path)
    return path


def _is_figure(name: str) -> bool:
    return name in COUNT_COLUMNS or name.endswith(("_rate", "_change"))
