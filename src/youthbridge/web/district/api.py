"""The district's REST API, version 1: ingest, batches, quarantine, outreach."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from youthbridge.district.batches import ingest_as, list_batches, quarantined
from youthbridge.district.ingest import SourceFormat
from youthbridge.district.outreach import outreach_queue
from youthbridge.security.permissions import Permission
from youthbridge.web.common.guard import Caller, requires
from youthbridge.web.common.schemas import ERRORS
from youthbridge.web.district.sources import BESIDE, chosen_map, node_of, server_path

router = APIRouter(prefix="/api/v1", tags=["district"], responses=ERRORS)


class IngestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1, max_length=1000)
    format: SourceFormat
    map: str = Field(default=BESIDE, min_length=1, max_length=64)


class BatchOut(BaseModel):
    batch_id: int
    source_format: str
    created_at: datetime
    files: list[str]
    rows_read: int
    rows_quarantined: int


class QuarantinedOut(BaseModel):
    table: str
    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str
    message: str


class QuarantineOut(BaseModel):
    batch_id: int
    total: int
    rows: list[QuarantinedOut]


class QueueItemOut(BaseModel):
    referral_id: uuid.UUID
    student_id: str
    source: str
    state: str
    reasons: list[str]
    offer: str
    opened_at: datetime


@router.post("/ingests", status_code=201)
def ingest_by_path(
    request: Request,
    caller: Annotated[Caller, requires(Permission.UPLOAD_INGEST)],
    body: IngestBody,
) -> dict[str, Any]:
    """Ingest a file or folder inside one of the node's import folders."""
    source = server_path(request, body.path)
    map_path = None
    if body.format is SourceFormat.CSV:
        map_path = chosen_map(request, body.map, source)
    report = ingest_as(
        node_of(request),
        actor=caller.account,
        source=source,
        source_format=body.format,
        map_path=map_path,
    )
    return report.to_dict()


@router.get("/batches")
def batches(
    request: Request, caller: Annotated[Caller, requires(Permission.QUARANTINE_VIEW)]
) -> list[BatchOut]:
    """Every ingest batch, newest first."""
    found = list_batches(node_of(request), actor=caller.account)
    return [BatchOut(**vars(batch)) for batch in found]


@router.get("/batches/{batch_id}/quarantine")
def batch_quarantine(
    request: Request,
    caller: Annotated[Caller, requires(Permission.QUARANTINE_VIEW)],
    batch_id: Annotated[int, Path(ge=1, le=2**31)],
) -> QuarantineOut:
    """The rows a batch kept back, with file, line, column and rule."""
    total, rows = quarantined(node_of(request), actor=caller.account, batch_id=batch_id)
    return QuarantineOut(
        batch_id=batch_id,
        total=total,
        rows=[QuarantinedOut(**vars(row)) for row in rows],
    )


@router.get("/outreach-queue")
def queue(
    request: Request, caller: Annotated[Caller, requires(Permission.OUTREACH_VIEW)]
) -> list[QueueItemOut]:
    """Families still to be reached, oldest first."""
    return [
        QueueItemOut(
            referral_id=item.referral_id,
            student_id=item.student_id,
            source=str(item.source),
            state=str(item.state),
            reasons=list(item.reasons),
            offer=item.offer,
            opened_at=item.opened_at,
        )
        for item in outreach_queue(node_of(request), actor=caller.account)
    ]
