"""What every reader hands to validation: text tables with provenance.

A reader knows its format (Ed-Fi XML, Ed-Fi JSON, CSV with a column map); it does
not decide what is valid. It maps the source's own category values into the
canonical codes through explicit tables, records every value it could not map as
a problem with its file and line, and leaves typing and checking to validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from youthbridge.domain.codes import AttendanceMode
from youthbridge.domain.schoolyear import YearLabelStyle

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "table": pl.String(),
    "file": pl.String(),
    "line": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "rule": pl.String(),
    "message": pl.String(),
}


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


@dataclass
class SourceBatch:
    """Everything one reader read from one file or export folder."""

    files: list[Path]
    # canonical table name -> frame whose columns are canonical names (all
    # pl.String) plus `_file` (pl.String) and `_line` (pl.Int64)
    tables: dict[str, pl.DataFrame]
    attendance_mode: AttendanceMode
    # strptime format of every date in the source, e.g. "%Y-%m-%d"
    date_format: str = "%Y-%m-%d"
    year_style: YearLabelStyle = YearLabelStyle.FULL
    # things validation should know that are not errors (e.g. inferred enrollments)
    notes: list[str] = field(default_factory=list)
    # row-level problems found while reading (PROBLEM_SCHEMA); a row named here
    # by (table, file, line) is quarantined
    problems: pl.DataFrame = field(default_factory=empty_problems)
