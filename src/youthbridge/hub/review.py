"""The at-risk review on the hub: flags with their reasons, pseudonyms only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.risk import levels, review
from youthbridge.storage.base import utcnow


@dataclass(frozen=True)
class Review:
    on: date
    flags: pl.DataFrame
    students: pl.DataFrame


def at_risk_review(
    records: pl.DataFrame,
    incidents: pl.DataFrame,
    agreement: Agreement,
    on: date | None = None,
) -> Review:
    """Flags and levels for the current records.

    `on` defaults to the latest day the records speak for, so that a review of
    last year's data shows what was true then rather than nothing at all.
    """
    day = on or _latest(records)
    inputs = _risk_inputs(records, incidents)
    flags = review(inputs, agreement, day)
    return Review(day, flags, levels(flags))


def _latest(records: pl.DataFrame) -> date:
    latest = records["as_of"].max() if records.height else None
    return latest if isinstance(latest, date) else utcnow().date()


def _risk_inputs(records: pl.DataFrame, incidents: pl.DataFrame) -> pl.DataFrame:
    last = _last_months(incidents)
    return (
        records.rename({"district_code": "district"})
        .with_columns(
            pl.col("unexcused_absences").cast(pl.Float64).alias("unexcused_days"),
            pl.col("max_unexcused_in_month")
            .cast(pl.Float64)
            .alias("most_unexcused_in_a_month"),
        )
        .join(last, on=["pseudonym", "school_year"], how="left")
    )


def _last_months(incidents: pl.DataFrame) -> pl.DataFrame:
    month = pl.col("month")
    return incidents.group_by("pseudonym", "school_year").agg(
        month.filter(pl.col("action") == "expulsion")
        .max()
        .alias("last_expulsion_month"),
        month.filter(pl.col("action") == "out-of-school-suspension")
        .max()
        .alias("last_oss_month"),
        month.filter(pl.col("behavior") == "fighting")
        .max()
        .alias("last_fighting_month"),
        month.filter(pl.col("behavior") == "weapon").max().alias("last_weapon_month"),
    )
