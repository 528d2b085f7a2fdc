"""Turning the generator's working frames into the district's canonical tables.

The generator works with integer indices and dates; the canonical tables hold
text only: identifiers as the district writes them, dates as YYYY-MM-DD.
"""

from __future__ import annotations

import polars as pl

from youthbridge.district.canonical import TABLES

ISO_DATE = "%Y-%m-%d"


def iso_dates(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Write date columns as ISO text, mapping each distinct date once."""
    updates: list[pl.Expr] = []
    for column in columns:
        distinct = frame[column].drop_nulls().unique()
        mapping = dict(
            zip(
                distinct.to_list(),
                distinct.dt.to_string(ISO_DATE).to_list(),
                strict=True,
            )
        )
        updates.append(
            pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)
        )
    return frame.with_columns(updates)


def identify(
    frame: pl.DataFrame, student_ids: pl.Series, school_ids: pl.Series
) -> pl.DataFrame:
    """Replace `student_index` and `school_index` by the district's identifiers."""
    updates: list[pl.Series] = []
    if "student_index" in frame.columns:
        updates.append(student_ids.gather(frame["student_index"]).alias("student_id"))
    if "school_index" in frame.columns:
        updates.append(school_ids.gather(frame["school_index"]).alias("school_id"))
    return frame.with_columns(updates)


def numbered(index: str, floor: int) -> pl.Expr:
    """Record numbers as text, counted from `floor`."""
    return (pl.col(index) + floor).cast(pl.String)


def canonical(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Exactly the canonical columns of table `name`, in order, all text."""
    columns = TABLES[name].column_names
    return frame.select(pl.col(column).cast(pl.String) for column in columns)
