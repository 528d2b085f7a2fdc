"""Reading a case: the case file with its consented records, and its timeline.

The case file is the one place where identified records are opened. It goes
through the case door with `case:view` and a purpose, so that analysts and
auditors are refused, so is a case manager on someone else's case, and every
view (or refused attempt) is audited with the purpose it was made for. Records
are shown only in the categories the consent names and only while it is live.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.domain.agreement import Purpose
from youthbridge.hub.access import through_door
from youthbridge.hub.cases import open_text
from youthbridge.hub.node import HubNode
from youthbridge.security.accounts import Account
from youthbridge.security.permissions import Permission, require_purpose
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import (
    CaseEventRow,
    CaseGoalRow,
    CaseNoteRow,
    CasePlanItemRow,
    CaseRecordRow,
    CaseRow,
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    actor_id: str | None
    from_status: str | None
    to_status: str | None
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Consent:
    consent_id: uuid.UUID
    categories: tuple[str, ...]
    expires_on: date
    live: bool


@dataclass(frozen=True)
class Goal:
    goal_id: int
    text: str | None
    set_at: datetime


@dataclass(frozen=True)
class PlanItem:
    item_id: int
    service_id: str
    category: str
    state: str


@dataclass(frozen=True)
class Note:
    note_id: int
    contact_kind: str
    contacted_at: datetime
    text: str | None


@dataclass(frozen=True)
class CaseFile:
    """A case as its case manager sees it, with the records the consent allows."""

    case_id: uuid.UUID
    pseudonym: str
    district_code: str
    status: str
    close_outcome: str | None
    close_reason: str | None
    assigned_to: str | None
    team: str | None
    consent: Consent
    records: dict[str, tuple[dict[str, Any], ...]]
    goals: tuple[Goal, ...]
    plan: tuple[PlanItem, ...]
    notes: tuple[Note, ...]
    timeline: tuple[TimelineEntry, ...]


def case_file(
    hub: HubNode, *, actor: Account, case_id: uuid.UUID, purpose: Purpose | str
) -> CaseFile:
    """The case with its decrypted consented records, for those who may see it."""
    reason = require_purpose(str(purpose))
    return through_door(
        hub,
        actor=actor,
        case_id=case_id,
        permission=Permission.CASE_VIEW,
        event="case:file",
        purpose=reason,
        work=lambda session, case: _read(hub, session, case),
    )


def timeline(
    hub: HubNode, *, actor: Account, case_id: uuid.UUID
) -> tuple[TimelineEntry, ...]:
    """What happened to the case, oldest first, derived from its events."""
    return through_door(
        hub,
        actor=actor,
        case_id=case_id,
        permission=Permission.CASE_VIEW,
        event="case:timeline",
        purpose=Purpose.CASE_MANAGEMENT,
        work=lambda session, case: _timeline(session, case.id),
    )


def _read(hub: HubNode, session: Session, case: CaseRow) -> CaseFile:
    consent = _consent(case)
    return CaseFile(
        case_id=case.id,
        pseudonym=case.pseudonym,
        district_code=case.district_code,
        status=case.status,
        close_outcome=case.close_outcome,
        close_reason=case.close_reason,
        assigned_to=case.assigned_to,
        team=case.team,
        consent=consent,
        records=_records(hub, session, case, consent) if consent.live else {},
        goals=_goals(hub, session, case, consent.live),
        plan=_plan(session, case.id),
        notes=_notes(hub, session, case, consent.live),
        timeline=_timeline(session, case.id),
    )


def _consent(case: CaseRow) -> Consent:
    live = case.consent_ended_at is None and case.consent_expires_on >= utcnow().date()
    return Consent(
        consent_id=case.consent_id,
        categories=tuple(case.consent_categories),
        expires_on=case.consent_expires_on,
        live=live,
    )


def _records(
    hub: HubNode, session: Session, case: CaseRow, consent: Consent
) -> dict[str, tuple[dict[str, Any], ...]]:
    rows = session.scalars(
        select(CaseRecordRow)
        .where(CaseRecordRow.case_id == case.id)
        .order_by(CaseRecordRow.category)
    )
    opened: dict[str, tuple[dict[str, Any], ...]] = {}
    for row in rows:
        # A category the consent no longer names stays sealed.
        if row.category not in consent.categories:
            continue
        aad = f"hub:record:{case.id}:{row.category}".encode()
        plain = hub.keys().decrypt(session, case.pseudonym, row.sealed, aad)
        opened[row.category] = tuple(json.loads(plain))
    return opened


def _goals(
    hub: HubNode, session: Session, case: CaseRow, live: bool
) -> tuple[Goal, ...]:
    rows = session.scalars(
        select(CaseGoalRow)
        .where(CaseGoalRow.case_id == case.id)
        .order_by(CaseGoalRow.id)
    )
    return tuple(
        Goal(
            goal_id=row.id,
            text=_opened(hub, session, case, "goal", row.sealed, live),
            set_at=row.set_at,
        )
        for row in rows
    )


def _notes(
    hub: HubNode, session: Session, case: CaseRow, live: bool
) -> tuple[Note, ...]:
    rows = session.scalars(
        select(CaseNoteRow)
        .where(CaseNoteRow.case_id == case.id)
        .order_by(CaseNoteRow.id)
    )
    return tuple(
        Note(
            note_id=row.id,
            contact_kind=row.contact_kind,
            contacted_at=row.contacted_at,
            text=_opened(hub, session, case, "note", row.sealed, live),
        )
        for row in rows
    )


def _opened(
    hub: HubNode,
    session: Session,
    case: CaseRow,
    kind: str,
    sealed: bytes | None,
    live: bool,
) -> str | None:
    if sealed is None or not live:
        return None
    return open_text(hub, session, case, kind, sealed)


def _plan(session: Session, case_id: uuid.UUID) -> tuple[PlanItem, ...]:
    rows = session.scalars(
        select(CasePlanItemRow)
        .where(CasePlanItemRow.case_id == case_id)
        .order_by(CasePlanItemRow.id)
    )
    return tuple(
        PlanItem(row.id, row.service_id, row.category, row.state) for row in rows
    )


def _timeline(session: Session, case_id: uuid.UUID) -> tuple[TimelineEntry, ...]:
    rows = session.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.case_id == case_id)
        .order_by(CaseEventRow.at, CaseEventRow.id)
    )
    return tuple(
        TimelineEntry(
            at=row.at,
            kind=row.kind,
            actor_id=row.actor_id,
            from_status=row.from_status,
            to_status=row.to_status,
            codes=tuple(row.codes),
        )
        for row in rows
    )
