"""The audit log for auditors and administrators: a page and an API list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from youthbridge.security import audit
from youthbridge.security.audit import AuditEntry
from youthbridge.security.permissions import Permission
from youthbridge.web.common.guard import Caller, requires, site_of
from youthbridge.web.common.rendering import render
from youthbridge.web.common.schemas import ERRORS

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["audit"], responses=ERRORS)

PAGE_SIZE = 100


class AuditEntryOut(BaseModel):
    sequence: int
    recorded_at: datetime
    actor_account_id: str | None
    actor_role: str | None
    action: str
    purpose: str | None
    subject: str | None
    outcome: str
    details: dict[str, object]


def _entries(
    request: Request, caller: Caller, after: int, limit: int
) -> list[AuditEntry]:
    with site_of(request).sessions() as session:
        return audit.list_entries(
            session, actor=caller.account, after_sequence=after, limit=limit
        )


@pages.get("/audit")
def audit_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.AUDIT_VIEW)],
    after: int = Query(0, ge=0, le=2**62),
) -> Response:
    entries = _entries(request, caller, after, PAGE_SIZE)
    report = None
    if caller.may(Permission.AUDIT_VERIFY) and after == 0:
        with site_of(request).sessions() as session:
            report = audit.verify(session)
    return render(
        request,
        "common/audit.html",
        caller=caller,
        entries=entries,
        report=report,
        after=after,
        page_size=PAGE_SIZE,
    )


@api.get("/audit")
def audit_list(
    request: Request,
    caller: Annotated[Caller, requires(Permission.AUDIT_VIEW)],
    after: int = Query(0, ge=0, le=2**62),
    limit: int = Query(100, ge=1, le=1000),
) -> list[AuditEntryOut]:
    """Audit entries in order after a sequence number."""
    return [
        AuditEntryOut(
            sequence=entry.sequence,
            recorded_at=entry.recorded_at,
            actor_account_id=entry.actor_account_id,
            actor_role=entry.actor_role,
            action=entry.action,
            purpose=entry.purpose,
            subject=entry.subject,
            outcome=entry.outcome,
            details=entry.details,
        )
        for entry in _entries(request, caller, after, limit)
    ]
