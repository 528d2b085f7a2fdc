"""CSV exports read through a column map.

Every value is read as text (no type guessing), renamed to its canonical column,
and its coded columns mapped through the map's code tables. Typing and checking
happen in validation, the same for every source.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from youthbridge.district.canonical import FILE_COLUMN, LINE_COLUMN, Kind
from youthbridge.district.readers.column_map import ColumnMap, TableMap
from youthbridge.district.readers.encoding import utf8_bytes
from youthbridge.district.sources import SourceBatch, empty_problems
from youthbridge.domain.errors import Problem, SourceError, YouthbridgeError
from youthbridge.domain.schoolyear import parse_year_label


def read_csv_export(folder: Path, column_map: ColumnMap) -> SourceBatch:
    """Read every table the map names from an export folder (or a single file)."""
    tables: dict[str, pl.DataFrame] = {}
    problems: list[pl.DataFrame] = [empty_problems()]
    files: list[Path] = []
    fatal: list[SourceError] = []
    for name, table_map in column_map.tables.items():
        path = folder / table_map.file if folder.is_dir() else folder
        if folder.is_file() and path.name != table_map.file:
            continue
        try:
            frame, found = _read_table(path, table_map, column_map)
        except SourceError as error:
            fatal.append(error)
            continue
        tables[name] = frame
        problems.append(found)
        files.append(path)
    if len(fatal) == 1:
        raise fatal[0]
    if fatal:
        raise SourceError(
            f"{len(fatal)} files of the export are unreadable: "
            + "; ".join(error.message for error in fatal),
            code="source:unreadable",
            problems=[p for error in fatal for p in error.problems],
        )
    return SourceBatch(
        files=files,
        tables=tables,
        attendance_mode=column_map.attendance_mode,
        date_format=column_map.date_format,
        year_style=column_map.year_style,
        problems=pl.concat(problems),
    )


def _read_table(
    path: Path, table_map: TableMap, column_map: ColumnMap
) -> tuple[pl.DataFrame, pl.DataFrame]:
    if not path.is_file():
        raise SourceError(
            f"{path}: the file the map names for {table_map.table.name} is missing",
            code="source:missing",
        )
    data = utf8_bytes(path, column_map.encoding)
    frame = _parse(path, data, column_map.delimiter)
    _check_headers(path, frame, table_map)
    frame = _canonical(frame, path, data, table_map, column_map.delimiter)
    frame, problems = _map_codes(frame, table_map)
    frame, year_problems = _map_school_years(frame, table_map, column_map)
    return frame, pl.concat([problems, year_problems])


def _parse(path: Path, data: bytes, delimiter: str) -> pl.DataFrame:
    try:
        return pl.read_csv(data, separator=delimiter, infer_schema=False)
    except pl.exceptions.PolarsError as error:
        raise SourceError(
            f"{path}: not a readable CSV file: {error}", code="source:csv"
        ) from error


def _check_headers(path: Path, frame: pl.DataFrame, table_map: TableMap) -> None:
    missing = [
        header for header in table_map.columns.values() if header not in frame.columns
    ]
    if missing:
        raise SourceError(
            f"{path}: the header lacks {len(missing)} column(s) the map names",
            code="source:header",
            problems=[
                Problem(
                    file=str(path),
                    line=1,
                    column=header,
                    value=None,
                    rule="source:header",
                    message="a column the map names is not in the header",
                )
                for header in missing
            ],
        )


def _canonical(
    frame: pl.DataFrame,
    path: Path,
    data: bytes,
    table_map: TableMap,
    delimiter: str,
) -> pl.DataFrame:
    columns = [pl.col(header).alias(name) for name, header in table_map.columns.items()]
    lines = _record_lines(data, frame.height, delimiter)
    return frame.select(columns).with_columns(
        pl.lit(str(path)).alias(FILE_COLUMN),
        pl.Series(LINE_COLUMN, lines, dtype=pl.Int64),
    )


def _record_lines(data: bytes, rows: int, delimiter: str) -> pl.Series:
    """The line on which each record starts, counting the header as line 1.

    Most exports have one record a line, and then this is a range. A quoted field
    with a line break inside shifts every later record, so such files are walked
    with the csv module to find where each record really starts.
    """
    breaks = data.count(b"\n") - (1 if data.endswith(b"\n") else 0)
    if breaks == rows:
        return pl.int_range(2, rows + 2, eager=True)
    reader = csv.reader(
        io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter
    )
    starts: list[int] = []
    next(reader, None)
    line = reader.line_num + 1
    for _record in reader:
        starts.append(line)
        line = reader.line_num + 1
    return pl.Series(starts[:rows], dtype=pl.Int64)


def _map_codes(
    frame: pl.DataFrame, table_map: TableMap
) -> tuple[pl.DataFrame, pl.DataFrame]:
    problems = [empty_problems()]
    for column in table_map.table.columns:
        if column.kind is not Kind.CODE or column.name not in table_map.columns:
            continue
        table_codes = table_map.codes.get(column.name, {})
        raw = pl.col(column.name)
        # Every code is text, so a value left empty by the mapping is one the
        # table does not list: one lookup finds both the codes and the unknowns.
        mapped = frame.select(
            raw.replace_strict(table_codes, default=None, return_dtype=pl.String)
        ).to_series()
        unknown = frame.filter(raw.is_not_null() & mapped.is_null())
        problems.append(
            _problems(
                unknown,
                table_map,
                column.name,
                "code:unknown",
                "a value the map's code table does not list",
            )
        )
        frame = frame.with_columns(mapped)
    return frame, pl.concat(problems)


def _map_school_years(
    frame: pl.DataFrame, table_map: TableMap, column_map: ColumnMap
) -> tuple[pl.DataFrame, pl.DataFrame]:
    if "school_year" not in table_map.columns:
        return frame, empty_problems()
    labels: dict[str, str] = {}
    for value in frame["school_year"].drop_nulls().unique().to_list():
        try:
            labels[value] = parse_year_label(value, column_map.year_style).label
        except YouthbridgeError:
            continue
    raw = pl.col("school_year")
    unknown = frame.filter(raw.is_not_null() & ~raw.is_in(list(labels)))
    problems = _problems(
        unknown,
        table_map,
        "school_year",
        "school-year:format",
        f"not a school year written as {column_map.year_style.value}",
    )
    mapped = frame.with_columns(
        raw.replace_strict(labels, default=None, return_dtype=pl.String)
    )
    return mapped, problems


def _problems(
    rows: pl.DataFrame, table_map: TableMap, column: str, rule: str, message: str
) -> pl.DataFrame:
    return rows.select(
        pl.lit(table_map.table.name).alias("table"),
        pl.col(FILE_COLUMN).alias("file"),
        pl.col(LINE_COLUMN).alias("line"),
        pl.lit(table_map.columns[column]).alias("column"),
        pl.col(column).alias("value"),
        pl.lit(rule).alias("rule"),
        pl.lit(message).alias("message"),
    )
