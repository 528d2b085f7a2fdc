"""The district's tables: the canonical model, ingest batches and quarantine.

The canonical tables are built from their definitions in district/canonical.py,
so that the model, its validation and its storage cannot drift apart. Each row
records the batch that last wrote it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from youthbridge.district import canonical
from youthbridge.storage.base import DistrictBase
from youthbridge.storage.types import ExactDecimal

metadata = DistrictBase.metadata

ingest_batches = Table(
    "ingest_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("district_code", String(16), nullable=False),
    Column("source_format", String(16), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("files", JSON, nullable=False),
    Column("attendance_mode", String(16), nullable=False),
    Column("attendance_file", String(255)),
    Column("counts", JSON, nullable=False),
    Column("notes", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("district_code", "fingerprint"),
)

quarantine_rows = Table(
    "quarantine_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", ForeignKey("ingest_batches.id"), nullable=False, index=True),
    Column("table_name", String(32), nullable=False),
    Column("file", Text, nullable=False),
    Column("line", Integer),
    Column("column_name", String(64)),
    Column("value", Text),
    Column("rule", String(48), nullable=False),
    Column("message", Text, nullable=False),
)

# The only way back from a pseudonym to a student; it never leaves the district.
pseudonyms = Table(
    "pseudonyms",
    metadata,
    Column("pseudonym", String(64), primary_key=True),
    Column("student_id", Text, nullable=False, unique=True),
)


def _sql_type(kind: canonical.Kind) -> TypeEngine[Any]:
    if kind is canonical.Kind.DATE:
        return Date()
    if kind is canonical.Kind.DECIMAL:
        return ExactDecimal()
    if kind is canonical.Kind.INTEGER:
        return Integer()
    if kind is canonical.Kind.BOOLEAN:
        return Boolean()
    return Text()


def _canonical_table(definition: canonical.Table) -> Table:
    # Attendance is stored as columnar files, one per batch (see
    # district/facts.py); every other canonical table lives in the database.
    columns = [
        Column(
            column.name,
            _sql_type(column.kind),
            primary_key=column.name in definition.key,
            nullable=column.name not in definition.key and not column.required,
        )
        for column in definition.columns
    ]
    batch: Column[int] = Column(
        "batch_id", ForeignKey("ingest_batches.id"), nullable=False
    )
    return Table(definition.name, metadata, *columns, batch)


CANONICAL: dict[str, Table] = {
    name: _canonical_table(definition)
    for name, definition in canonical.TABLES.items()
    if name != canonical.ATTENDANCE.name
}

# Registers the outreach, consent and disclosure-log tables on the same metadata.
from youthbridge.storage import consent_tables  # noqa: E402, F401
