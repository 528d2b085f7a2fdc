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

    `on` defaults, district by district, to the latest day that district's
    records speak for, so that a district whose latest release is an older year
    shows what was true then rather than nothing at all.
    """
    inputs = _risk_inputs(records, incidents)
    if on is not None:
        flags = review(inputs, agreement, on)
        return Review(on, flags, levels(flags))
    parts = [
        review(part, agreement, _latest(part))
        for part in inputs.partition_by("district", maintain_order=True)
    ]
    flags = pl.concat(parts) if parts else review(inputs, agreement, _latest(inputs))
    return Review(_latest(records), flags, levels(flags))


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
