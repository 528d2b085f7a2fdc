"""Trends on the hub: rates by place, group and time, with year-over-year change.

Every figure comes from the current releases. Every table leaves here through
`suppress`, so a count under the agreement's minimum, or a rate built on one,
shows only the marker, in the page, the CSV and the JSON alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.disclosure import age_band
from youthbridge.domain.suppression import RateSpec, Suppressed, suppress


class Dimension(StrEnum):
    DISTRICT = "district"
    SCHOOL = "school"
    ZIP = "zip"
    AGE = "age"
    SEX = "sex"
    RACE = "race"
    MONTH = "month"


MEASURES: tuple[tuple[str, str], ...] = (
    ("chronic_absence", "chronically absent"),
    ("habitual_truancy", "habitually truant"),
    ("suspended", "suspended"),
    ("expelled", "expelled"),
)
COUNT_COLUMNS = ("students", *(name for name, _ in MEASURES))
RATE_SPECS = tuple(RateSpec(f"{name}_rate", name, "students") for name, _ in MEASURES)


@dataclass(frozen=True)
class Trend:
    """One trends table: the numbers for internal use, the display for people."""

    dimension: Dimension
    numbers: pl.DataFrame
    shown: Suppressed


def with_groups(records: pl.DataFrame) -> pl.DataFrame:
    """Records with one column per dimension, generalised or not as released."""
    return records.with_columns(
        pl.col("district_code").alias("district"),
        pl.coalesce("school_id", "school_level").alias("school"),
        pl.coalesce("zip", pl.col("zip3") + "xx").alias("zip_area"),
        pl.coalesce(age_band(pl.col("age")), pl.col("age_band")).alias("age_group"),
        pl.col("race_ethnicity").alias("race"),
        ((pl.col("oss_count") + pl.col("iss_count")) > 0).alias("suspended"),
        (pl.col("expulsions") > 0).alias("expelled"),
    )


_GROUP_COLUMN = {
    Dimension.DISTRICT: "district",
    Dimension.SCHOOL: "school",
    Dimension.ZIP: "zip_area",
    Dimension.AGE: "age_group",
    Dimension.SEX: "sex",
    Dimension.RACE: "race",
}


def trend(
    records: pl.DataFrame,
    incidents: pl.DataFrame,
    dimension: Dimension,
    agreement: Agreement,
) -> Trend:
    """Counts, rates and year-over-year change by one dimension and school year."""
    grouped = with_groups(records)
    if dimension is Dimension.MONTH:
        numbers = _by_month(grouped, incidents)
        keys = ["district", "month"]
    else:
        keys = ["district", _GROUP_COLUMN[dimension]]
        if dimension is Dimension.DISTRICT:
            keys = ["district"]
        numbers = _by_group(grouped, keys)
    numbers = _year_over_year(numbers, keys)
    shown = _suppressed(numbers, keys, agreement)
    return Trend(dimension, numbers, shown)


def _by_group(records: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return (
        records.group_by(["school_year", *keys])
        .agg(
            pl.len().alias("students"),
            *(pl.col(name).cast(pl.Int64).sum().alias(name) for name, _ in MEASURES),
        )
        .with_columns(
            (pl.col(name) / pl.col("students")).alias(f"{name}_rate")
            for name, _ in MEASURES
        )
        .sort(["school_year", *keys])
    )


def _by_month(records: pl.DataFrame, incidents: pl.DataFrame) -> pl.DataFrame:
    """Suspensions and expulsions by month, over each district-year's students."""
    students = records.group_by(["school_year", "district"]).agg(
        pl.len().alias("students")
    )
    monthly = (
        incidents.rename({"district_code": "district"})
        .group_by(["school_year", "district", "month"])
        .agg(
            pl.col("pseudonym")
            .filter(pl.col("action").str.contains("suspension"))
            .n_unique()
            .alias("suspended"),
            pl.col("pseudonym")
            .filter(pl.col("action") == "expulsion")
            .n_unique()
            .alias("expelled"),
        )
    )
    return (
        monthly.join(students, on=["school_year", "district"])
        .with_columns(
            pl.lit(None, dtype=pl.Int64).alias("chronic_absence"),
            pl.lit(None, dtype=pl.Int64).alias("habitual_truancy"),
        )
        .with_columns(
            (pl.col(name) / pl.col("students")).alias(f"{name}_rate")
            for name, _ in MEASURES
        )
        .select(
            [
                "school_year",
                "district",
                "month",
                *COUNT_COLUMNS,
                *(spec.rate for spec in RATE_SPECS),
            ]
        )
        .sort(["school_year", "district", "month"])
    )


def _year_over_year(numbers: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The change in each rate since the previous school year, in points."""
    ordered = numbers.sort(["school_year", *keys])
    previous_year = pl.col("school_year").str.slice(0, 4).cast(pl.Int64) - 1
    label = previous_year.cast(pl.String) + "-" + (previous_year + 1).cast(pl.String)
    earlier = ordered.select(
        pl.col("school_year").alias("_next"),
        *keys,
        *(pl.col(spec.rate).alias(f"_prev_{spec.rate}") for spec in RATE_SPECS),
        *(
            pl.col(spec.numerator).alias(f"_prev_{spec.numerator}")
            for spec in RATE_SPECS
        ),
        pl.col("students").alias("_prev_students"),
    )
    joined = ordered.with_columns(label.alias("_previous")).join(
        earlier, left_on=["_previous", *keys], right_on=["_next", *keys], how="left"
    )
    return joined.with_columns(
        ((pl.col(spec.rate) - pl.col(f"_prev_{spec.rate}")) * 100).alias(
            f"{spec.numerator}_change"
        )
        for spec in RATE_SPECS
    )


def _suppressed(
    numbers: pl.DataFrame, keys: list[str], agreement: Agreement
) -> Suppressed:
    table = numbers.select(
        ["school_year", *keys, *COUNT_COLUMNS, *(spec.rate for spec in RATE_SPECS)]
    )
    shown = suppress(
        table,
        count_columns=list(COUNT_COLUMNS),
        rate_specs=list(RATE_SPECS),
        minimum=agreement.small_cell_minimum,
        marker=agreement.suppression_marker,
        group_by_for_complement=_complement_groups(keys),
        rate_decimals=3,
    )
    return _with_change(shown, numbers, agreement)


def _complement_groups(keys: list[str]) -> list[str] | None:
    """The rows that add up to a figure shown elsewhere, for complementary cells.

    The groups of one district and year (its zip areas, schools, age bands...)
    add up to the district's row of the district trend, so one hidden cell
    among them could be recovered by subtraction; the district trend's own rows
    add up to no figure that is shown.
    """
    return None if keys == ["district"] else ["school_year", "district"]


def _with_change(
    shown: Suppressed, numbers: pl.DataFrame, agreement: Agreement
) -> Suppressed:
    """Add year-over-year change, suppressed wherever either year's rate could
    not be shown (the previous year's rate is suppressed by the same rules)."""
    changes = []
    for spec in RATE_SPECS:
        previous_safe = (pl.col("_prev_students") >= agreement.small_cell_minimum) & (
            pl.col(f"_prev_{spec.numerator}") >= agreement.small_cell_minimum
        )
        changes.append(
            pl.when(previous_safe)
            .then(pl.col(f"{spec.numerator}_change").round(1).cast(pl.String))
            .otherwise(pl.lit(None, dtype=pl.String))
            .alias(f"{spec.numerator}_change")
        )
    change_frame = numbers.select(changes)
    masked = change_frame.with_columns(
        pl.when(shown.suppressed_mask[spec.rate])
        .then(pl.lit(agreement.suppression_marker))
        .otherwise(pl.col(f"{spec.numerator}_change"))
        .alias(f"{spec.numerator}_change")
        for spec in RATE_SPECS
    )
    return Suppressed(
        display=pl.concat([shown.display, masked], how="horizontal"),
        suppressed_mask=shown.suppressed_mask,
    )
