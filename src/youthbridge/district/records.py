"""Reading a district's stored records back as typed tables.

Only district/ code reads these tables, and always through the functions here,
so that the typing of every column is decided in one place.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import select

from youthbridge.analytics.indicators import IndicatorInputs
from youthbridge.district import facts
from youthbridge.district.canonical import TABLES, Kind
from youthbridge.district.node import DistrictNode
from youthbridge.district.validation import DECIMAL
from youthbridge.domain.codes import AttendanceMode
from youthbridge.storage.district_tables import CANONICAL, ingest_batches

_POLARS_TYPES: dict[Kind, pl.DataType] = {
    Kind.DATE: pl.Date(),
    Kind.DECIMAL: DECIMAL,
    Kind.INTEGER: pl.Int64(),
    Kind.BOOLEAN: pl.Boolean(),
}


def schema_of(name: str) -> dict[str, pl.DataType]:
    """The Polars types of a canonical table's columns."""
    return {
        column.name: _POLARS_TYPES.get(column.kind, pl.String())
        for column in TABLES[name].columns
    }


def load_table(node: DistrictNode, name: str) -> pl.DataFrame:
    """Every stored row of one canonical table (not attendance)."""
    table = CANONICAL[name]
    columns = [table.c[column] for column in TABLES[name].column_names]
    with node.engine.connect() as connection:
        rows = connection.execute(select(*columns)).all()
    return pl.DataFrame(
        [tuple(row) for row in rows], schema=schema_of(name), orient="row"
    )


def attendance(node: DistrictNode) -> pl.LazyFrame:
    """The current attendance rows, latest batch first for each student-day."""
    committed = _attendance_batches(node)
    rows = facts.scan(node.attendance_folder, [name for _, name, _ in committed])
    if rows is None:
        return pl.DataFrame(schema=schema_of("attendance")).lazy()
    return rows.select(list(schema_of("attendance")))


def attendance_modes(node: DistrictNode) -> dict[str, AttendanceMode]:
    """How each school's attendance is recorded: as its latest batch declared."""
    committed = _attendance_batches(node)
    modes: dict[str, AttendanceMode] = {}
    for _batch_id, name, mode in committed:
        path = node.attendance_folder / name
        if not path.is_file():
            continue
        schools = pl.scan_parquet(path).select("school_id").unique().collect()
        for school in schools["school_id"]:
            modes[school] = AttendanceMode(mode)
    # A school enrolled with no attendance at all is read as its district's
    # latest source says.
    fallback = (
        AttendanceMode(committed[-1][2]) if committed else AttendanceMode.EXCEPTIONS
    )
    for school in load_table(node, "schools")["school_id"]:
        modes.setdefault(school, fallback)
    return modes


def _attendance_batches(node: DistrictNode) -> list[tuple[int, str, str]]:
    query = (
        select(
            ingest_batches.c.id,
            ingest_batches.c.attendance_file,
            ingest_batches.c.attendance_mode,
        )
        .where(ingest_batches.c.attendance_file.is_not(None))
        .order_by(ingest_batches.c.id)
    )
    with node.engine.connect() as connection:
        rows: list[Any] = list(connection.execute(query).all())
    facts.recover(node.attendance_folder, [int(row[0]) for row in rows])
    return [(int(row[0]), str(row[1]), str(row[2])) for row in rows]


def indicator_inputs(node: DistrictNode) -> IndicatorInputs:
    """Everything the indicators need, typed, for every year stored."""
    return IndicatorInputs(
        enrollments=load_table(node, "enrollments"),
        attendance=attendance(node).collect(),
        modes=attendance_modes(node),
        calendar_days=load_table(node, "calendar_days"),
        calendar_sessions=load_table(node, "calendar_sessions"),
        discipline_actions=load_table(node, "discipline_actions"),
        incident_behaviors=load_table(node, "incident_behaviors"),
        incidents=load_table(node, "incidents"),
    )
