"""Spreadsheet-safe CSV: no cell of an export can run as a formula.

A spreadsheet treats a cell that begins with `=`, `+`, `-` or `@` (and, in some
programs, a tab or carriage return) as a formula, which can fetch a web address
or run a command on the reader's machine. Such text cells get a leading single
quote, which spreadsheets show as text. Numbers stay numbers.

Text that reads as a number (the text "-2") is left alone only in a column
declared numeric, where a spreadsheet is meant to read it as the number; in any
other column it is text like any other and is quoted if it starts with `-`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

Cell = str | int | float | Decimal | None

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise_cell(value: Cell, *, numeric: bool = False) -> Cell:
    """The value as it may safely be written to a spreadsheet cell."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if numeric and _NUMBER.match(value):
        return value
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(
    rows: Iterable[Mapping[str, Cell]],
    columns: Sequence[str],
    numeric_columns: Collection[str],
    path: Path,
) -> int:
    """Write rows to a CSV file with every cell neutralised; returns the row count.

    The file appears complete or not at all: it is written beside the target
    and moved into place at the end.
    """
    unknown = set(numeric_columns) - set(columns)
    if unknown:
        raise ValueError(f"numeric columns not in the export: {sorted(unknown)}")
    numeric = frozenset(numeric_columns)

    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            count = _write_rows(csv.writer(handle), rows, columns, numeric)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def _write_rows(
    writer: Any,
    rows: Iterable[Mapping[str, Cell]],
    columns: Sequence[str],
    numeric: frozenset[str],
) -> int:
    writer.writerow([neutralise_cell(name) for name in columns])
    count = 0
    for row in rows:
        cells = [
            neutralise_cell(row.get(name), numeric=name in numeric) for name in columns
        ]
        writer.writerow(cells)
        count += 1
    return count
