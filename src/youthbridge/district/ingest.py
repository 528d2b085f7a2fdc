"""Ingest: read a source, validate it as a whole, commit it whole or not at all.

One batch is one file or one export folder. Loading the same batch twice changes
nothing: a batch is known by a fingerprint of its files and its map. Past the
agreement's share of rejected rows the whole batch is refused and nothing is
written; otherwise the accepted rows, the quarantined rows and the batch record
commit in one transaction, and the batch's attendance file counts only once that
transaction has committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import polars as pl
import structlog
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from youthbridge.district import facts
from youthbridge.district.canonical import ATTENDANCE, TABLES
from youthbridge.district.node import DistrictNode
from youthbridge.district.readers.column_map import load_column_map
from youthbridge.district.readers.csv_export import read_csv_export
from youthbridge.district.sources import SourceBatch
from youthbridge.district.validation import ValidatedBatch, validate
from youthbridge.domain.errors import BatchRefused, ConfigError, Problem
from youthbridge.storage.base import utcnow
from youthbridge.storage.bulk import insert_frame
from youthbridge.storage.district_tables import (
    CANONICAL,
    ingest_batches,
    quarantine_rows,
)

Progress = Callable[[str], None]
MAX_PROBLEMS_SHOWN = 50
log = structlog.get_logger("youthbridge.district.ingest")


class SourceFormat(StrEnum):
    EDFI_XML = "edfi-xml"
    EDFI_JSON = "edfi-json"
    CSV = "csv"


@dataclass
class IngestReport:
    """What a batch brought, for the summary people read and the JSON machines read."""

    district: str
    source_format: str
    batch_id: int | None
    unchanged: bool
    rows_read: int
    rows_quarantined: int
    tables: dict[str, dict[str, int]]
    attendance: dict[str, Any]
    notes: list[str]
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    quarantine_by_rule: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "district": self.district,
            "format": self.source_format,
            "batch_id": self.batch_id,
            "unchanged": self.unchanged,
            "rows_read": self.rows_read,
            "rows_quarantined": self.rows_quarantined,
            "tables": self.tables,
            "students": self.tables.get("students", {}).get("accepted", 0),
            "attendance": self.attendance,
            "incidents": self.tables.get("incidents", {}).get("accepted", 0),
            "discipline_actions": self.tables.get("discipline_actions", {}).get(
                "accepted", 0
            ),
            "notes": self.notes,
            "quarantine_by_rule": self.quarantine_by_rule,
            "quarantine": self.quarantine,
        }


def read_source(
    source: Path, source_format: SourceFormat, map_path: Path | None
) -> SourceBatch:
    """Run the reader of a format over a file or folder."""
    if source_format is SourceFormat.CSV:
        if map_path is None:
            raise ConfigError(
                "a CSV source needs its column map: give --map FILE", code="map:missing"
            )
        return read_csv_export(source, load_column_map(map_path))
    if source_format is SourceFormat.EDFI_XML:
        from youthbridge.district.readers.edfi_xml import read_edfi_xml

        return read_edfi_xml(source)
    from youthbridge.district.readers.edfi_json import read_edfi_json

    return read_edfi_json(source)


def ingest(
    node: DistrictNode,
    source: Path,
    source_format: SourceFormat,
    map_path: Path | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest one batch into a district node; raise BatchRefused to write nothing."""
    say = progress or (lambda _step: None)
    say("reading")
    batch = read_source(source, source_format, map_path)

    fingerprint = _fingerprint(batch.files, map_path)
    existing = _existing_batch(node, fingerprint)
    if existing is not None:
        log.info(
            "district.ingest.unchanged", district=node.code, batch_id=existing["id"]
        )
        return _unchanged_report(node, source_format, existing)

    say("validating")
    validated = validate(batch, _stored_keys(node))
    _refuse_if_too_many_rejected(node, validated)

    say("writing")
    batch_id = _commit(node, source_format, fingerprint, batch, validated)
    log.info(
        "district.ingest.committed",
        district=node.code,
        batch_id=batch_id,
        source_format=source_format.value,
        rows=validated.rows_read,
        quarantined=validated.rows_quarantined,
    )
    return _report(node, source_format, batch_id, batch, validated)


def _fingerprint(files: list[Path], map_path: Path | None) -> str:
    digest = hashlib.sha256()
    for path in sorted(files + ([map_path] if map_path else []), key=lambda p: p.name):
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _existing_batch(node: DistrictNode, fingerprint: str) -> dict[str, Any] | None:
    query = select(ingest_batches).where(
        ingest_batches.c.district_code == node.code,
        ingest_batches.c.fingerprint == fingerprint,
    )
    with node.engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    return dict(row) if row else None


def _stored_keys(node: DistrictNode) -> dict[tuple[str, str], pl.Series]:
    keys: dict[tuple[str, str], pl.Series] = {}
    with node.engine.connect() as connection:
        for table, column in (("students", "student_id"), ("schools", "school_id")):
            values = connection.execute(select(CANONICAL[table].c[column])).scalars()
            keys[(table, column)] = pl.Series(column, list(values), dtype=pl.String)
    return keys


def _refuse_if_too_many_rejected(node: DistrictNode, validated: ValidatedBatch) -> None:
    """Refuse the batch when too many of its rows, or of any one table's, failed.

    The share is checked table by table as well as over the batch: a file of
    guardians that is wholly wrong must not pass because the attendance beside
    it is large and clean.
    """
    limit = node.agreement.max_rejected_share
    counts = [("the batch", validated.rows_read, validated.rows_quarantined)]
    counts += [
        (name, count.read, count.quarantined)
        for name, count in validated.counts.items()
    ]
    over = [
        (name, read, rejected)
        for name, read, rejected in counts
        if read and rejected * limit.denominator > read * limit.numerator
    ]
    if not over:
        return
    shown = validated.quarantine.head(MAX_PROBLEMS_SHOWN)
    raise BatchRefused(
        "the batch was refused and nothing was written: "
        + "; ".join(
            f"{rejected:,} of {read:,} rows of {name} ({rejected / read:.1%})"
            for name, read, rejected in over
        )
        + f" break a rule, more than the agreement's {float(limit):.0%}."
        + f" The first {shown.height:,} of {validated.quarantine.height:,} problems"
        " are listed; fix them and ingest the batch again.",
        code="batch:refused",
        problems=[_problem(row) for row in shown.to_dicts()],
    )


def _problem(row: dict[str, Any]) -> Problem:
    return Problem(
        file=row["file"],
        line=row["line"],
        column=row["column"],
        value=row["value"],
        rule=row["rule"],
        message=row["message"],
    )


def _commit(
    node: DistrictNode,
    source_format: SourceFormat,
    fingerprint: str,
    batch: SourceBatch,
    validated: ValidatedBatch,
) -> int:
    attendance = validated.tables.get(ATTENDANCE.name)
    with node.engine.begin() as connection:
        batch_id = _insert_batch(
            connection,
            node,
            source_format,
            fingerprint,
            batch,
            validated,
            has_attendance=attendance is not None,
        )
        try:
            if attendance is not None:
                facts.write_staged(node.attendance_folder, batch_id, attendance)
            _upsert_all(connection, batch_id, validated)
            _insert_quarantine(connection, batch_id, validated.quarantine)
        except BaseException:
            facts.discard(node.attendance_folder, batch_id)
            raise
    if attendance is not None:
        facts.publish(node.attendance_folder, batch_id)
    return batch_id


def _insert_batch(
    connection: Connection,
    node: DistrictNode,
    source_format: SourceFormat,
    fingerprint: str,
    batch: SourceBatch,
    validated: ValidatedBatch,
    *,
    has_attendance: bool,
) -> int:
    next_id = connection.execute(
        select(func.coalesce(func.max(ingest_batches.c.id), 0))
    )
    batch_id = int(next_id.scalar_one()) + 1
    connection.execute(
        insert(ingest_batches).values(
            id=batch_id,
            district_code=node.code,
            source_format=source_format.value,
            fingerprint=fingerprint,
            files=[str(path) for path in batch.files],
            attendance_mode=batch.attendance_mode.value,
            attendance_file=facts.final_name(batch_id) if has_attendance else None,
            counts={name: vars(count) for name, count in validated.counts.items()},
            notes=batch.notes,
            created_at=utcnow(),
        )
    )
    return batch_id


def _upsert_all(
    connection: Connection, batch_id: int, validated: ValidatedBatch
) -> None:
    for name, frame in validated.tables.items():
        if name == ATTENDANCE.name or frame.is_empty():
            continue
        _upsert(connection, name, frame, batch_id)


def _upsert(
    connection: Connection, name: str, frame: pl.DataFrame, batch_id: int
) -> None:
    table = CANONICAL[name]
    key = list(TABLES[name].key)
    rows = frame.with_columns(pl.lit(batch_id).alias("batch_id"))
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    updates = {
        column.name: statement.excluded[column.name]
        for column in table.columns
        if column.name not in key
    }
    upsert = statement.on_conflict_do_update(index_elements=key, set_=updates)
    insert_frame(connection, upsert, rows)


def _insert_quarantine(
    connection: Connection, batch_id: int, problems: pl.DataFrame
) -> None:
    if problems.is_empty():
        return
    rows = problems.rename(
        {"table": "table_name", "column": "column_name"}
    ).with_columns(pl.lit(batch_id).alias("batch_id"))
    insert_frame(connection, insert(quarantine_rows), rows)


def _report(
    node: DistrictNode,
    source_format: SourceFormat,
    batch_id: int,
    batch: SourceBatch,
    validated: ValidatedBatch,
) -> IngestReport:
    quarantine = validated.quarantine
    by_rule = dict(quarantine.group_by("rule").len().sort("rule").iter_rows())
    return IngestReport(
        district=node.code,
        source_format=source_format.value,
        batch_id=batch_id,
        unchanged=False,
        rows_read=validated.rows_read,
        rows_quarantined=validated.rows_quarantined,
        tables={name: vars(count) for name, count in validated.counts.items()},
        attendance=_attendance_summary(validated.tables.get(ATTENDANCE.name)),
        notes=batch.notes,
        quarantine=quarantine.head(200).to_dicts(),
        quarantine_by_rule={str(rule): int(count) for rule, count in by_rule.items()},
    )


def _attendance_summary(frame: pl.DataFrame | None) -> dict[str, Any]:
    if frame is None:
        return {"events": 0, "by_status": {}, "students": 0, "schools": 0}
    by_status = frame.group_by("status").len().sort("status")
    return {
        "events": frame.height,
        "by_status": {
            str(status): int(count) for status, count in by_status.iter_rows()
        },
        "students": frame["student_id"].n_unique(),
        "schools": frame["school_id"].n_unique(),
    }


def _unchanged_report(
    node: DistrictNode, source_format: SourceFormat, existing: dict[str, Any]
) -> IngestReport:
    counts: dict[str, dict[str, int]] = existing["counts"]
    return IngestReport(
        district=node.code,
        source_format=source_format.value,
        batch_id=int(existing["id"]),
        unchanged=True,
        rows_read=sum(count["read"] for count in counts.values()),
        rows_quarantined=sum(count["quarantined"] for count in counts.values()),
        tables=counts,
        attendance={},
        notes=[
            f"this batch was already ingested as batch {existing['id']};"
            " nothing changed"
        ],
    )
