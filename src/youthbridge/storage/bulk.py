"""Writing a large frame of rows through one statement, compiled once.

Handing SQLAlchemy a list of row dicts makes it build and type-process every
row's parameters in Python, which for a table of a million rows costs several
times what the database spends inserting them. Here the statement is compiled
once for the connection's dialect, each column's values pass through that
column's own bind processor as one list (so values are stored exactly as
SQLAlchemy would store them), and the driver receives plain rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert

# Rows per driver call: bounds the memory of the parameter lists.
CHUNK_ROWS = 50_000

Processor = Callable[[Any], Any]


def insert_frame(
    connection: Connection, statement: Insert, frame: pl.DataFrame
) -> None:
    """Execute an INSERT (or upsert) once per row of `frame`, by column name."""
    if frame.is_empty():
        return
    compiled = statement.compile(
        dialect=connection.dialect, column_keys=list(frame.columns)
    )
    assert isinstance(compiled, SQLCompiler)
    names = _parameter_names(compiled)
    processors = _processors(connection, compiled, names)
    for start in range(0, frame.height, CHUNK_ROWS):
        part = frame.slice(start, CHUNK_ROWS)
        rows = _driver_rows(part, names, processors, named=not compiled.positional)
        connection.exec_driver_sql(compiled.string, rows)


def _parameter_names(compiled: SQLCompiler) -> list[str]:
    if compiled.positional:
        assert compiled.positiontup is not None
        return list(compiled.positiontup)
    return list(compiled.binds)


def _processors(
    connection: Connection, compiled: SQLCompiler, names: Sequence[str]
) -> list[Processor | None]:
    dialect = connection.dialect
    return [
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in names
    ]


def _driver_rows(
    frame: pl.DataFrame,
    names: Sequence[str],
    processors: Sequence[Processor | None],
    *,
    named: bool,
) -> list[Any]:
    # An INSERT's parameters are named after the columns they fill.
    columns = [
        _processed(frame[name].to_list(), processor)
        for name, processor in zip(names, processors, strict=True)
    ]
    rows = list(zip(*columns, strict=True))
    if named:
        return [dict(zip(names, row, strict=True)) for row in rows]
    return rows


def _processed(values: list[Any], processor: Processor | None) -> list[Any]:
    if processor is None:
        return values
    return [processor(value) for value in values]
