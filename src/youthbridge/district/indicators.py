"""A district's early-warning indicators for one school year, from what it stored."""

from __future__ import annotations

from datetime import date

from youthbridge.analytics.indicators import IndicatorResult, compute_indicators
from youthbridge.district.node import DistrictNode
from youthbridge.district.records import indicator_inputs
from youthbridge.domain.schoolyear import SchoolYear


def year_indicators(
    node: DistrictNode, school_year: SchoolYear, as_of: date | None = None
) -> IndicatorResult:
    """Every enrolled student's indicators for the year, overall and by school."""
    return compute_indicators(
        indicator_inputs(node), school_year, node.agreement, as_of
    )
