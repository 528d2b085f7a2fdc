"""Case management on the hub: one door for each change to a case.

Every function takes the acting person as `actor`, goes through the case door
(`hub.access.through_door`), which checks access and writes the audit entry, and
makes its change, its timeline event and any progress update in that one
transaction. Goals and contact notes are sealed with the student's key, since a
person types them and they may name people; they stay on the hub and are never
sent. Once a consent ends, nothing identified can be added to its case.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from youthbridge.domain.case import CaseStatus, transition
from youthbridge.domain.errors import NotFound, Refused
from youthbridge.exchange.vocabulary import CaseOutcome, ServiceCategory
from youthbridge.hub.access import through_door
from youthbridge.hub.events import add_event
from youthbridge.hub.node import HubNode
from youthbridge.hub.progress import enqueue_progress, status_code
from youthbridge.security.accounts import Account
from youthbridge.security.permissions import Permission, Role
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import (
    CaseGoalRow,
    CaseNoteRow,
    CasePlanItemRow,
    CaseRow,
    DirectoryService,
)

_ASSIGNABLE = frozenset({Role.CASE_MANAGER, Role.SUPERVISOR})


class ContactKind(StrEnum):
    """How a case manager was in touch with the student or family."""

    CALL = "call"
    VISIT = "visit"
    MEETING = "meeting"
    MESSAGE = "message"


class PlanItemState(StrEnum):
    REFERRED = "referred"
    STARTED = "started"


def seal_text(
    hub: HubNode, session: Session, case: CaseRow, kind: str, text: str
) -> bytes:
    """Typed text, sealed with the student's key and bound to this case."""
    require_live_consent(case)
    aad = f"hub:{kind}:{case.id}".encode()
    return hub.keys().encrypt(session, case.pseudonym, text.encode("utf-8"), aad)


def open_text(
    hub: HubNode, session: Session, case: CaseRow, kind: str, sealed: bytes
) -> str:
    aad = f"hub:{kind}:{case.id}".encode()
    return hub.keys().decrypt(session, case.pseudonym, sealed, aad).decode("utf-8")


def require_live_consent(case: CaseRow) -> None:
    """Refuse identified work on a case whose consent has ended."""
    if case.consent_ended_at is not None:
        raise Refused(
            "The consent for this case has ended and its identified records were"
            " destroyed; nothing identified can be added to it.",
            code="case:consent-ended",
        )


def assign_case(
    hub: HubNode,
    *,
    actor: Account,
    case_id: uuid.UUID,
    to: Account | None = None,
    team: str | None = None,
) -> None:
    """Assign the case to a case manager, or put it in a team's queue."""
    if to is not None and (to.disabled or to.role not in _ASSIGNABLE):
        raise Refused(
            "A case is assigned only to an active case manager or supervisor.",
            code="case:assignee",
        )
    queue = team if to is None else (to.team or team)
    if to is None and not queue:
        raise Refused("Name a case manager or a team queue.", code="case:assignee")

    def work(session: Session, case: CaseRow) -> None:
        case.assigned_to = None if to is None else to.id
        case.team = queue or case.team
        codes = [f"team:{case.team}"] if to is None else []
        add_event(session, case, "case:assigned", actor_id=actor.id, codes=codes)

    through_door(
        hub,
        actor=actor,
        case_id=case_id,
        permission=Permission.CASE_ASSIGN,
        event="case:assign",
        work=work,
    )


def change_status(
    hub: HubNode,
    *,
    actor: Account,
    case_id: uuid.UUID,
    to: CaseStatus,
    reason: str,
    outcome: CaseOutcome | None = None,
) -> None:
    """Move the case to a new status and tell its district, in codes."""
    through_door(
        hub,
        actor=actor,
        case_id=case_id,
        permission=Permission.CASE_MANAGE,
        event="status:change",
        work=lambda session, case: _move(
            hub, session, case, actor, to, reason, outcome
        ),
    )


def _move(
    hub: HubNode,
    session: Session,
    case: CaseRow,
    actor: Account,
    to: CaseStatus,
    reason: str,
    outcome: CaseOutcome | None,
) -> None:
    move = transition(
        CaseStatus(case.status),
        to,
        by=actor.id,
        at=utcnow(),
        reason=reason,
        outcome=outcome,
    )
    case.status = move.to_status.value
    if move.closure is not None:
        case.close_outcome = move.closure.outcome.value
        case.close_reason = move.closure.reason.value
    add_event(
        session,
        case,
        "status:changed",
        actor_id=actor.id,
        codes=[move.reason],
        from_status=move.from_status.value,
        to_status=move.to_status.value,
    )
    enqueue_progress(hub, session, case, [status_code(case)], actor_id=actor.id)


def add_goal(hub: HubNode, *, actor: Account, case_id: uuid.UUID, text: str) -> int:
    """Set a goal with the student; its wording is sealed and stays on the hub."""
    _require_text(text, "goal")

    def work(session: Session, case: CaseRow) -> int:
        goal = CaseGoalRow(
            case_id=case.id,
            sealed=seal_text(hub, session, case, "goal", text),
            set_by=actor.id,
            set_at=utcnow(),
        )
        session.add(goal)
        session.flush()
        add_event(session, case, "goal:set", actor_id=actor.id)
        return goal.id

    return through_door(
        hub,
        actor=actor,
        case_id=case_id,
        permission=Permission.CASE_MANAGE,
        event="goal:add",
        work=work,
    )


def refer_to_service(
    hub: HubNode,
    *,
    actor: Account,
    case_id: uuid.UUID,
    service_id: str,
    category: ServiceCategory | None = None,
) -> int:
    """Add a referral to a directory service to the case's service plan."""

    def work(session: Session, case: CaseRow) -> int:
        require_live_consent(case)
        kind = _service_category(session, service_id, category)
        item = CasePlanItemRow(
            case_id=case.id,
            service_id=service_id,
            category=kind.value,
            state=PlanItemState.REFERRED.value,
            referred_by=actor.id,
            referred_at=utcnow(),
        )
        session.add(item)
        session.flush()
        add_event(session, case, "plan:referred", actor_id=actor.id, codes=[kind])
        return item.id

    return through_door(
        hub,
        actor=actor,
        case_id=case_id,
        permission=Permission.CASE_MANAGE,
        event="plan:refer",
        work=work,
    )


def _service_category(
    session: Session, service_id: str, category: ServiceCategory | None
) -> ServiceCategory:
    service = session.get(DirectoryService, service_id)
    if service is None or service.status != "active":
        raise NotFound(
            "There is no active service with that id in the directory.",
            code="directory:service",
        )
    chosen = category or (
        ServiceCategory(service.category) if service.category else None
    )
    if chosen is None:
        known = ", ".join(str(item) for item in ServiceCategory)
        raise Refused(
            f"Say what kind of service this is for the plan: one of {known}.",
            code="plan:category",
        )
    return chosen


def start_service(
    hub: HubNode, *, actor: Account, case_id: uuid.UUID, item_id: int
) -> None:
    """Record that a planned service started, and tell the district its kind."""

    def work(session: Session, case: CaseRow) -> None:
        item = session.get(CasePlanItemRow, item_id)
        if item is None or item.case_id != case.id:
            raise NotFound("This case's plan has no such item.", code="plan:item")
        if item.state == PlanItemState.STARTED.value:
            raise Refused("This service has already started.", code="plan:started")
        item.state = PlanItemState.STARTED.value
        item.started_at = utcnow()
        code = f"services-started:{item.category}"
        add_event(session, case, "plan:started", actor_id=actor.id, codes=[code])
        enqueue_progress(hub, session, case, [code], actor_id=actor.id)

    through_door(
        hub,
        actor=actor,
        case_id=case_id,
        permission=Permission.CASE_MANAGE,
        event="plan:start",
        work=work,
    )


def add_contact_note(
    hub: HubNode,
    *,
    actor: Account,
    case_id: uuid.UUID,
    contact_kind: ContactKind,
    contacted_at: datetime,
    text: str,
) -> int:
    """Keep a note of a contact; sealed, on the hub only, never in any message."""
    _require_text(text, "note")
    _require_aware(contacted_at)

    def work(session: Session, case: CaseRow) -> int:
        note = CaseNoteRow(
            case_id=case.id,
            contact_kind=ContactKind(contact_kind).value,
            contacted_at=contacted_at,
            sealed=seal_text(hub, session, case, "note", text),
            written_by=actor.id,
            written_at=utcnow(),
        )
        session.add(note)
        session.flush()
        add_event(
            session, case, "note:added", actor_id=actor.id, codes=[note.contact_kind]
        )
        return note.id

    return through_door(
        hub,
        actor=actor,
        case_id=case_id,
        permission=Permission.CASE_NOTE_ADD,
        event="note:add",
        work=work,
    )


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise Refused(
            "The time of a contact must carry its time zone.", code="note:time"
        )


def _require_text(text: str, what: str) -> None:
    if not text.strip():
        raise Refused(f"An empty {what} is not kept.", code=f"{what}:empty")
