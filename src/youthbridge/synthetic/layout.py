"""The column maps the generator writes exports in, read from their TOML files.

A map names the source's files and headers for each canonical table and column,
its own values for each coded column, and how it writes dates and school years.
This module reads only what writing needs; the district's CSV reader reads the
same files for the other direction.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from youthbridge.district.canonical import TABLES
from youthbridge.domain.codes import AttendanceMode
from youthbridge.domain.errors import ConfigError
from youthbridge.domain.schoolyear import SchoolYear, YearLabelStyle

MAPS = Path(__file__).parent / "maps"
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")


@dataclass(frozen=True)
class TableLayout:
    """One canonical table as a file of the source."""

    name: str
    file: str
    columns: dict[str, str]  # canonical column -> source header
    codes: dict[str, dict[str, str]]  # canonical column -> source value -> code


@dataclass(frozen=True)
class Layout:
    """A whole column map."""

    layout: str
    encoding: str
    delimiter: str
    date_format: str
    year_style: YearLabelStyle
    attendance_mode: AttendanceMode
    tables: dict[str, TableLayout]


def map_path(layout: str) -> Path:
    """The map file shipped for a layout name, e.g. `campus`."""
    return MAPS / f"{layout}.toml"


def load_layout(path: Path) -> Layout:
    """Read a column map, refusing one that names unknown tables or columns."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the column map ({error})") from error
    try:
        source = document["source"]
        layout = Layout(
            layout=str(source["layout"]),
            encoding=_encoding(path, source["encoding"]),
            delimiter=str(source["delimiter"]),
            date_format=str(source["date_format"]),
            year_style=YearLabelStyle(source["year_style"]),
            attendance_mode=AttendanceMode(source["attendance_mode"]),
            tables={
                name: _table(path, name, spec)
                for name, spec in document["tables"].items()
            },
        )
    except (KeyError, ValueError) as error:
        raise ConfigError(f"{path}: the column map is incomplete ({error})") from error
    return layout


def _encoding(path: Path, value: object) -> str:
    if value not in ENCODINGS:
        raise ConfigError(f"{path}: encoding must be one of {', '.join(ENCODINGS)}")
    return str(value)


def _table(path: Path, name: str, spec: dict[str, Any]) -> TableLayout:
    if name not in TABLES:
        raise ConfigError(f"{path}: `{name}` is not a canonical table")
    columns = {str(key): str(value) for key, value in spec["columns"].items()}
    unknown = set(columns) - set(TABLES[name].column_names)
    if unknown:
        raise ConfigError(
            f"{path}: table `{name}` has no column {', '.join(sorted(unknown))}"
        )
    codes = {
        str(column): {str(k): str(v) for k, v in table.items()}
        for column, table in spec.get("codes", {}).items()
    }
    return TableLayout(name, str(spec["file"]), columns, codes)


def year_label(year: SchoolYear, style: YearLabelStyle) -> str:
    """A school year written in a source's style: the inverse of parsing it."""
    start, end = year.start_year, year.start_year + 1
    labels = {
        YearLabelStyle.FULL: year.label,
        YearLabelStyle.SHORT_PAIR: f"{start % 100:02d}{end % 100:02d}",
        YearLabelStyle.END_YEAR: f"{end}",
        YearLabelStyle.SHORT_END: f"{end % 100:02d}",
    }
    return labels[style]
