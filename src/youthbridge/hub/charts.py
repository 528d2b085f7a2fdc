"""Charts drawn on the server as SVG, so a page or report needs no network.

A suppressed cell is left out of a chart, never drawn as zero, and the chart says
how many cells it leaves out and why.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl
import vl_convert

WIDTH = 400


def bar_chart(
    rows: list[dict[str, Any]],
    *,
    category: str,
    value: str,
    title: str,
    color: str | None = None,
    order: list[str] | None = None,
) -> str:
    """A bar chart of `value` by `category` as SVG text ("" with nothing to show)."""
    if not rows:
        return ""
    encoding: dict[str, Any] = {
        "x": alt.X(f"{category}:N", sort=order, title=None),
        "y": alt.Y(f"{value}:Q", title=None, axis=alt.Axis(format="%")),
        "tooltip": [f"{category}:N", alt.Tooltip(f"{value}:Q", format=".1%")],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=None)
        encoding["xOffset"] = alt.XOffset(f"{color}:N")
    chart = (
        alt.Chart(pl.DataFrame(rows), title=title, width=WIDTH, height=220)
        .mark_bar()
        .encode(**encoding)
    )
    return _svg(chart)


def count_chart(
    rows: list[dict[str, Any]], *, category: str, value: str, title: str, color: str
) -> str:
    """A stacked bar chart of counts as SVG text ("" with nothing to show)."""
    if not rows:
        return ""
    chart = (
        alt.Chart(pl.DataFrame(rows), title=title, width=WIDTH, height=220)
        .mark_bar()
        .encode(
            y=alt.Y(
                f"{category}:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)
            ),
            x=alt.X(f"{value}:Q", title=None),
            color=alt.Color(f"{color}:N", title=None),
            tooltip=[f"{category}:N", f"{color}:N", f"{value}:Q"],
        )
    )
    return _svg(chart)


def shown_rates(
    display: pl.DataFrame, mask: pl.DataFrame, rate: str
) -> tuple[list[dict[str, Any]], int]:
    """The rows whose rate may be shown, as numbers, and how many were left out."""
    keep = display.with_columns(mask[rate].alias("_suppressed"))
    shown = keep.filter(~pl.col("_suppressed")).with_columns(
        pl.col(rate).cast(pl.Float64)
    )
    return shown.drop("_suppressed").to_dicts(), keep.height - shown.height


# The renderer measures text with its own font, narrower than most browsers'
# fonts; this margin keeps the longest axis labels inside the picture.
_PADDING = {"left": 40, "right": 10, "top": 5, "bottom": 20}


def _svg(chart: alt.Chart) -> str:
    spec = chart.properties(padding=_PADDING).configure_view(stroke=None).to_dict()
    return str(vl_convert.vegalite_to_svg(spec))
