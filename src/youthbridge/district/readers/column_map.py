"""Declarative column maps: how one SIS's CSV export maps into the canonical model.

A map is a TOML file (see docs/column-maps.md). It is checked as a whole when it
is read, and every problem in it is reported at once.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from youthbridge.district.canonical import TABLES, Kind, Table
from youthbridge.district.readers.encoding import ENCODINGS
from youthbridge.domain.codes import AttendanceMode
from youthbridge.domain.errors import ConfigError, Problem
from youthbridge.domain.schoolyear import YearLabelStyle

_Choice = TypeVar("_Choice", YearLabelStyle, AttendanceMode)


@dataclass(frozen=True)
class TableMap:
    table: Table
    file: str
    # canonical column name -> source header
    columns: dict[str, str]
    # canonical column name -> {source value: canonical code}
    codes: dict[str, dict[str, str]]


@dataclass(frozen=True)
class ColumnMap:
    path: Path
    layout: str
    encoding: str
    delimiter: str
    date_format: str
    year_style: YearLabelStyle
    attendance_mode: AttendanceMode
    tables: dict[str, TableMap]


def load_column_map(path: Path) -> ColumnMap:
    """Read and check a column map, raising ConfigError with every problem."""
    raw = _read_toml(path)
    problems: list[Problem] = []
    _check_keys(path, "", raw, _TOP_KEYS, problems)
    source = raw.get("source", {})
    _check_keys(path, "source.", source, _SOURCE_KEYS, problems)
    settings = _settings(path, source, problems)
    tables = {
        name: table_map
        for name, spec in raw.get("tables", {}).items()
        if (table_map := _table_map(path, name, spec, problems)) is not None
    }
    if not tables:
        problems.append(_problem(path, "tables", "the map names no tables"))
    if problems:
        raise ConfigError(
            f"{path}: the column map has {len(problems)} problem(s)",
            code="map:invalid",
            problems=problems,
        )
    return ColumnMap(path=path, tables=tables, **settings)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(
            f"{path}: cannot read the column map: {error.strerror}",
            code="map:unreadable",
        ) from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"{path}: the column map is not valid TOML: {error}", code="map:invalid"
        ) from error


def _settings(
    path: Path, source: dict[str, Any], problems: list[Problem]
) -> dict[str, Any]:
    encoding = str(source.get("encoding", "utf-8"))
    if encoding not in ENCODINGS:
        problems.append(
            _problem(
                path,
                "source.encoding",
                f"`{encoding}` is not one of {', '.join(ENCODINGS)}",
            )
        )
    return {
        "layout": str(source.get("layout", path.stem)),
        "encoding": encoding,
        "delimiter": str(source.get("delimiter", ",")),
        "date_format": str(source.get("date_format", "%Y-%m-%d")),
        "year_style": _enum(
            path, source, "year_style", YearLabelStyle, YearLabelStyle.FULL, problems
        ),
        "attendance_mode": _enum(
            path,
            source,
            "attendance_mode",
            AttendanceMode,
            AttendanceMode.EVERY_DAY,
            problems,
        ),
    }


def _enum(
    path: Path,
    source: dict[str, Any],
    key: str,
    kind: type[_Choice],
    default: _Choice,
    problems: list[Problem],
) -> _Choice:
    value = source.get(key)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        problems.append(
            _problem(path, f"source.{key}", f"`{value}` is not one of {allowed}")
        )
        return default


def _table_map(
    path: Path, name: str, spec: dict[str, Any], problems: list[Problem]
) -> TableMap | None:
    _check_keys(path, f"tables.{name}.", spec, _TABLE_KEYS, problems)
    table = TABLES.get(name)
    if table is None:
        problems.append(_problem(path, f"tables.{name}", "is not a canonical table"))
        return None
    columns = {str(key): str(value) for key, value in spec.get("columns", {}).items()}
    codes = {
        str(column): {str(source): str(code) for source, code in table_codes.items()}
        for column, table_codes in spec.get("codes", {}).items()
    }
    if "file" not in spec:
        problems.append(_problem(path, f"tables.{name}.file", "names no file"))
    _check_columns(path, table, columns, codes, problems)
    return TableMap(
        table=table, file=str(spec.get("file", "")), columns=columns, codes=codes
    )


def _check_columns(
    path: Path,
    table: Table,
    columns: dict[str, str],
    codes: dict[str, dict[str, str]],
    problems: list[Problem],
) -> None:
    where = f"tables.{table.name}"
    for name in columns:
        if name not in table.column_names:
            problems.append(
                _problem(
                    path,
                    f"{where}.columns.{name}",
                    f"`{name}` is not a column of {table.name}",
                )
            )
    for column in table.columns:
        if column.required and column.name not in columns:
            problems.append(
                _problem(
                    path,
                    f"{where}.columns",
                    f"the required column `{column.name}` is not mapped",
                )
            )
        if column.kind is Kind.CODE and column.name in columns:
            _check_codes(path, where, column.name, column.vocabulary, codes, problems)


def _check_codes(
    path: Path,
    where: str,
    name: str,
    vocabulary: frozenset[str] | None,
    codes: dict[str, dict[str, str]],
    problems: list[Problem],
) -> None:
    table_codes = codes.get(name)
    if table_codes is None:
        problems.append(
            _problem(
                path,
                f"{where}.codes.{name}",
                f"the coded column `{name}` has no code table",
            )
        )
        return
    for source_value, code in table_codes.items():
        if vocabulary is not None and code not in vocabulary:
            problems.append(
                _problem(
                    path,
                    f"{where}.codes.{name}",
                    f"`{source_value}` maps to `{code}`, not a code of `{name}`",
                )
            )


_TOP_KEYS = ("source", "tables")
_SOURCE_KEYS = (
    "layout", "encoding", "delimiter", "date_format", "year_style", "attendance_mode",
)  # fmt: skip
_TABLE_KEYS = ("file", "columns", "codes")


def _check_keys(
    path: Path,
    where: str,
    spec: dict[str, Any],
    known: tuple[str, ...],
    problems: list[Problem],
) -> None:
    """A misspelled setting is an error, not a default silently kept."""
    for key in spec:
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        problems.append(
            _problem(path, f"{where}{key}", f"`{key}` is not a setting here{hint}")
        )


def _problem(path: Path, key: str, message: str) -> Problem:
    return Problem(
        file=str(path),
        line=None,
        column=key,
        value=None,
        rule="map:invalid",
        message=message,
    )
