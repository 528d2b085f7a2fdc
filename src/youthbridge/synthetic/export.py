"""Writing a district's canonical tables as the CSV files of a source layout.

The inverse of reading: canonical codes go back through the map's code tables,
dates and school years into the source's formats, headers into its names, and
text into its character set. A value that no code table knows is written as it
is, which is how the deliberate defects reach the files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from youthbridge.district.canonical import TABLES, Kind
from youthbridge.domain.errors import SourceError, YouthbridgeError
from youthbridge.domain.schoolyear import parse_year_label
from youthbridge.synthetic.layout import Layout, TableLayout, load_layout, year_label

# Rows written per slice when transcoding, to bound the memory of a long file.
TRANSCODE_ROWS = 1_000_000


def write_csv_export(
    frames: dict[str, pl.DataFrame], map_path: Path, out_dir: Path
) -> list[Path]:
    """Write every table the map names as that layout's CSV file; return them."""
    layout = load_layout(map_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, table in layout.tables.items():
        if name not in frames:
            continue
        source = to_source(frames[name], table, layout)
        path = out_dir / table.file
        _write(source, path, layout)
        written.append(path)
    return written


def to_source(frame: pl.DataFrame, table: TableLayout, layout: Layout) -> pl.DataFrame:
    """A canonical frame as the source writes it: its headers, codes and formats."""
    kinds = {column.name: column.kind for column in TABLES[table.name].columns}
    columns: list[pl.Expr] = []
    for canonical, header in table.columns.items():
        values = _source_values(frame, canonical, kinds[canonical], table, layout)
        columns.append(values.alias(header))
    return frame.select(columns)


def _source_values(
    frame: pl.DataFrame, column: str, kind: Kind, table: TableLayout, layout: Layout
) -> pl.Expr:
    if kind is Kind.CODE and column in table.codes:
        return pl.col(column).replace(_inverted(table.codes[column]))
    if kind is Kind.DATE:
        return pl.col(column).replace(_dates(frame[column], layout.date_format))
    if column == "school_year":
        return pl.col(column).replace(_years(frame[column], layout))
    return pl.col(column)


def _inverted(codes: dict[str, str]) -> dict[str, str]:
    # The first source value listed for a code is the one the source writes.
    inverted: dict[str, str] = {}
    for source_value, code in codes.items():
        inverted.setdefault(code, source_value)
    return inverted


def _dates(values: pl.Series, date_format: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for text in values.drop_nulls().unique().to_list():
        try:
            mapping[text] = date.fromisoformat(text).strftime(date_format)
        except ValueError:
            continue  # not a date: written as it is
    return mapping


def _years(values: pl.Series, layout: Layout) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for text in values.drop_nulls().unique().to_list():
        try:
            mapping[text] = year_label(parse_year_label(text), layout.year_style)
        except YouthbridgeError:
            continue
    return mapping


def _write(frame: pl.DataFrame, path: Path, layout: Layout) -> None:
    if layout.encoding in ("utf-8", "utf-8-sig"):
        frame.write_csv(
            path,
            include_bom=layout.encoding == "utf-8-sig",
            separator=layout.delimiter,
        )
        return
    with path.open("wb") as handle:
        for start in range(0, max(frame.height, 1), TRANSCODE_ROWS):
            part = frame.slice(start, TRANSCODE_ROWS)
            text = part.write_csv(include_header=start == 0, separator=layout.delimiter)
            handle.write(_encode(text, part, path, layout.encoding))


def _encode(text: str, part: pl.DataFrame, path: Path, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        column = _unencodable_column(part, encoding)
        raise SourceError(
            f"{path.name}: column `{column}` holds {error.object[error.start]!r},"
            f" which {encoding} cannot store",
            code="unencodable",
        ) from error


def _unencodable_column(frame: pl.DataFrame, encoding: str) -> str:
    for column in frame.columns:
        for value in frame[column].drop_nulls().unique().to_list():
            try:
                str(value).encode(encoding)
            except UnicodeEncodeError:
                return column
    return "?"
