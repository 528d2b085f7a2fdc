"""Ingest batches as staff see them: ingest as a person, list, read quarantine.

Quarantined rows hold the source's values as they were, so they are identified
data: reading them needs `quarantine:view` and is audited. Ingesting needs
`upload:ingest` and is audited with its counts, never with a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from youthbridge.district.ingest import IngestReport, SourceFormat, ingest
from youthbridge.district.node import DistrictNode
from youthbridge.domain.errors import NotFound, YouthbridgeError
from youthbridge.security import audit
from youthbridge.security.audit import Outcome
from youthbridge.security.permissions import Actor, Permission, require
from youthbridge.storage.district_tables import ingest_batches, quarantine_rows


@dataclass(frozen=True)
class BatchSummary:
    batch_id: int
    source_format: str
    created_at: datetime
    files: list[str]
    rows_read: int
    rows_quarantined: int


@dataclass(frozen=True)
class QuarantinedRow:
    table: str
    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str
    message: str


def ingest_as(
    node: DistrictNode,
    *,
    actor: Actor,
    source: Path,
    source_format: SourceFormat,
    map_path: Path | None = None,
) -> IngestReport:
    """Ingest a batch on a person's behalf, and audit what it brought."""
    require(actor, Permission.UPLOAD_INGEST)
    # NOTE: ingest commits in its own transaction, so the audit entry follows
    # it at once; a refused batch wrote nothing and is audited as a refusal.
    try:
        report = ingest(node, source, source_format, map_path)
    except YouthbridgeError as error:
        _audit_ingest(node, actor, Outcome.DENY, {"error": error.code})
        raise
    _audit_ingest(
        node,
        actor,
        Outcome.ALLOW,
        {
            "batch_id": report.batch_id,
            "format": report.source_format,
            "unchanged": report.unchanged,
            "rows_read": report.rows_read,
            "rows_quarantined": report.rows_quarantined,
        },
    )
    return report


def _audit_ingest(
    node: DistrictNode,
    actor: Actor,
    outcome: Outcome,
    details: dict[str, str | int | bool | None],
) -> None:
    with node.sessions.begin() as session:
        audit.record(
            session,
            actor=actor,
            action=Permission.UPLOAD_INGEST,
            outcome=outcome,
            details=details,
        )


def list_batches(node: DistrictNode, *, actor: Actor) -> list[BatchSummary]:
    """Every batch of this district, newest first, with its counts."""
    require(actor, Permission.QUARANTINE_VIEW)
    query = (
        select(ingest_batches)
        .where(ingest_batches.c.district_code == node.code)
        .order_by(ingest_batches.c.id.desc())
    )
    with node.engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [_summary(dict(row)) for row in rows]


def _summary(row: dict[str, object]) -> BatchSummary:
    counts = row["counts"]
    assert isinstance(counts, dict)
    files = row["files"]
    created = row["created_at"]
    assert isinstance(created, datetime)
    return BatchSummary(
        batch_id=int(str(row["id"])),
        source_format=str(row["source_format"]),
        created_at=created,
        files=[Path(str(name)).name for name in files]
        if isinstance(files, list)
        else [],
        rows_read=sum(int(c.get("read", 0)) for c in counts.values()),
        rows_quarantined=sum(int(c.get("quarantined", 0)) for c in counts.values()),
    )


def quarantined(
    node: DistrictNode, *, actor: Actor, batch_id: int, limit: int = 500
) -> tuple[int, list[QuarantinedRow]]:
    """How many rows a batch quarantined, and the first `limit` of them."""
    require(actor, Permission.QUARANTINE_VIEW)
    where = quarantine_rows.c.batch_id == batch_id
    with node.engine.connect() as connection:
        if not connection.execute(
            select(ingest_batches.c.id).where(
                ingest_batches.c.id == batch_id,
                ingest_batches.c.district_code == node.code,
            )
        ).first():
            raise NotFound(f"There is no batch {batch_id}.", code="batch:not-found")
        total = connection.execute(
            select(func.count()).select_from(quarantine_rows).where(where)
        ).scalar_one()
        rows = connection.execute(
            select(quarantine_rows)
            .where(where)
            .order_by(quarantine_rows.c.file, quarantine_rows.c.line)
            .limit(limit)
        ).mappings()
        shown = [_quarantined(dict(row)) for row in rows]
    with node.sessions.begin() as session:
        audit.record(
            session,
            actor=actor,
            action=Permission.QUARANTINE_VIEW,
            details={"batch_id": batch_id, "rows": len(shown)},
        )
    return int(total), shown


def _quarantined(row: dict[str, object]) -> QuarantinedRow:
    line = row["line"]
    return QuarantinedRow(
        table=str(row["table_name"]),
        file=Path(str(row["file"])).name,
        line=line if isinstance(line, int) else None,
        column=None if row["column_name"] is None else str(row["column_name"]),
        value=None if row["value"] is None else str(row["value"]),
        rule=str(row["rule"]),
        message=str(row["message"]),
    )
