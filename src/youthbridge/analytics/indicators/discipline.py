"""Discipline actions and incidents counted per student."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from youthbridge.analytics.indicators.tables import (
    ENROLLMENT_KEY,
    IndicatorInputs,
    Period,
)
from youthbridge.domain.codes import BehaviorCategory, DisciplineAction

_ACTION_COUNTS = {
    "iss_count": DisciplineAction.IN_SCHOOL_SUSPENSION,
    "oss_count": DisciplineAction.OUT_OF_SCHOOL_SUSPENSION,
    "expulsions": DisciplineAction.EXPULSION,
    "law_enforcement_referrals": DisciplineAction.LAW_ENFORCEMENT_REFERRAL,
}
_ACTION_DAYS = {
    "iss_days": DisciplineAction.IN_SCHOOL_SUSPENSION,
    "oss_days": DisciplineAction.OUT_OF_SCHOOL_SUSPENSION,
}
DISCIPLINE_NAMES = (
    "iss_count",
    "iss_days",
    "oss_count",
    "oss_days",
    "expulsions",
    "law_enforcement_referrals",
)
DISCIPLINE_COLUMNS = [pl.col(name) for name in DISCIPLINE_NAMES]
_CATEGORY_COLUMNS = {
    f"incidents_{category.value.replace('-', '_')}": category
    for category in BehaviorCategory
}
INCIDENT_NAMES = ("incidents", *_CATEGORY_COLUMNS)
INCIDENT_COLUMNS = [pl.col(name) for name in INCIDENT_NAMES]
_DAYS_TYPE = pl.Decimal(38, 2)


def discipline_counts(actions: pl.DataFrame | None, period: Period) -> pl.LazyFrame:
    """Per student, counts of each action in the period and days suspended.

    An action with no days given adds to its count and to no days.
    """
    if actions is None:
        return pl.LazyFrame(
            schema={"student_id": pl.String}
            | {
                name: _DAYS_TYPE if name.endswith("_days") else pl.Int64
                for name in DISCIPLINE_NAMES
            }
        )
    action = pl.col("action")
    days = pl.col("days").cast(_DAYS_TYPE).fill_null(Decimal(0))
    return (
        actions.lazy()
        .filter(pl.col("date").is_between(period.first, period.last))
        .group_by("student_id")
        .agg(
            *[
                (action == code.value).sum().alias(name)
                for name, code in _ACTION_COUNTS.items()
            ],
            *[
                days.filter(action == code.value).sum().alias(name)
                for name, code in _ACTION_DAYS.items()
            ],
        )
        .with_columns(pl.col(*_ACTION_COUNTS).cast(pl.Int64))
    )


def incident_counts(inputs: IndicatorInputs, period: Period) -> pl.LazyFrame:
    """Per student, distinct incidents in the period, overall and by behaviour.

    An incident counts when the student has a behaviour in it or an action that
    names it; behaviours take the incident's date, actions their own.
    """
    parts = _incident_parts(inputs, period)
    involved = pl.concat(
        [
            parts.select(*ENROLLMENT_KEY, "incident_id"),
            _action_incidents(inputs, period),
        ]
    ).unique()

    overall = involved.group_by("student_id").agg(incidents=pl.len())
    behaviour = pl.col("behavior")
    by_category = (
        parts.unique()
        .group_by("student_id")
        .agg(
            (behaviour == category.value).sum().cast(pl.Int64).alias(name)
            for name, category in _CATEGORY_COLUMNS.items()
        )
    )
    return overall.join(by_category, on="student_id", how="full", coalesce=True)


def _incident_parts(inputs: IndicatorInputs, period: Period) -> pl.LazyFrame:
    schema = {
        "student_id": pl.String,
        "school_id": pl.String,
        "incident_id": pl.String,
        "behavior": pl.String,
    }
    if inputs.incident_behaviors is None or inputs.incidents is None:
        return pl.LazyFrame(schema=schema)
    dated = inputs.incidents.lazy().select("incident_id", "school_id", "date")
    return (
        inputs.incident_behaviors.lazy()
        .join(dated, on=["incident_id", "school_id"])
        .filter(pl.col("date").is_between(period.first, period.last))
        .select(*schema)
    )


def _action_incidents(inputs: IndicatorInputs, period: Period) -> pl.LazyFrame:
    if inputs.discipline_actions is None:
        schema = {"student_id": pl.String, "school_id": pl.String}
        return pl.LazyFrame(schema=schema | {"incident_id": pl.String})
    return (
        inputs.discipline_actions.lazy()
        .filter(
            pl.col("incident_id").is_not_null()
            & pl.col("date").is_between(period.first, period.last)
        )
        .select(*ENROLLMENT_KEY, "incident_id")
    )
