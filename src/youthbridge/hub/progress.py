"""Progress updates: how a case is going, told to the student's district in codes.

A school may learn that a student is enrolled, engaged, has started a kind of
service, is making progress on a goal, or that the case closed and how. It never
receives a note, a goal's wording or anything else a person typed: a progress
update carries codes from the exchange's closed list, and a code not on it is
refused here before any message is written.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.domain.case import CaseStatus
from youthbridge.domain.errors import Refused
from youthbridge.exchange.messages import Envelope, MessageType, ProgressUpdate
from youthbridge.exchange.outbox import enqueue
from youthbridge.exchange.vocabulary import progress_codes
from youthbridge.hub.access import through_door
from youthbridge.hub.events import add_event
from youthbridge.hub.node import HubNode
from youthbridge.security import audit
from youthbridge.security.accounts import Account
from youthbridge.security.permissions import Permission
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import CaseRow

log = structlog.get_logger(__name__)

_KNOWN_CODES = progress_codes()

# The code a school is told when a case enters each status. A case on hold is
# still one the student is enrolled in; the reason it is on hold stays here.
STATUS_CODES = {
    CaseStatus.OPEN: "enrolled",
    CaseStatus.ACTIVE: "engaged",
    CaseStatus.ON_HOLD: "enrolled",
}


def status_code(case: CaseRow) -> str:
    """The progress code that says where the case stands now."""
    status = CaseStatus(case.status)
    if status is CaseStatus.CLOSED:
        return f"closed:{case.close_outcome}"
    return STATUS_CODES[status]


def check_codes(codes: Sequence[str]) -> tuple[str, ...]:
    """The codes as a tuple, or Refused if any is not a progress code."""
    # The refused value is not repeated: it may be the free text that this
    # check keeps out of messages and logs.
    unknown = sum(1 for code in codes if code not in _KNOWN_CODES)
    if unknown or not codes:
        raise Refused(
            f"{unknown} of the {len(codes)} progress code(s) are not progress codes."
            " Use enrolled, engaged, goal-progress, services-started:<service> or"
            " closed:<outcome>; a progress update never carries free text.",
            code="progress:code",
        )
    return tuple(codes)


def enqueue_progress(
    hub: HubNode,
    session: Session,
    case: CaseRow,
    codes: Sequence[str],
    *,
    actor_id: str | None,
    on: date | None = None,
) -> Envelope:
    """Queue a progress update for the case's district in the caller's transaction.

    `on` is the day the update speaks for, today unless a scheduled run says
    otherwise; the case counts as told on that day.
    """
    checked = check_codes(codes)
    _require_consent(case)
    now = _told_at(on)
    payload = ProgressUpdate(
        pseudonym=case.pseudonym, case_id=case.id, as_of=now.date(), codes=checked
    )
    envelope = enqueue(
        session,
        sender_key=hub.signing_key(),
        sender=hub.party_id,
        recipient=case.district_party,
        type=MessageType.PROGRESS_UPDATE,
        payload=payload,
        subject=case.pseudonym,
    )

    case.last_progress_at = now
    add_event(session, case, "progress:sent", actor_id=actor_id, codes=checked)
    log.info("hub.progress.queued", case_id=str(case.id), codes=list(checked))
    return envelope


def _require_consent(case: CaseRow) -> None:
    if case.consent_ended_at is not None:
        raise Refused(
            "The consent for this case has ended; its district is told nothing more.",
            code="progress:consent-ended",
        )


def _told_at(on: date | None) -> datetime:
    now = utcnow()
    if on is None or on <= now.date():
        return now
    return datetime.combine(on, time.min, tzinfo=UTC)


def send_progress(
    hub: HubNode, *, actor: Account, case_id: uuid.UUID, codes: Sequence[str]
) -> Envelope:
    """Tell the case's district how the student is doing, in progress codes."""
    checked = check_codes(codes)
    return through_door(
        hub,
        actor=actor,
        case_id=case_id,
        permission=Permission.PROGRESS_SEND,
        event="progress:send",
        work=lambda session, case: enqueue_progress(
            hub, session, case, checked, actor_id=actor.id
        ),
    )


def one_month_after(day: date) -> date:
    """The same day of the next month, or that month's last day if it is shorter."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def due_progress_updates(hub: HubNode, on: date) -> list[uuid.UUID]:
    """Send the monthly update of every case not heard of for a month by `on`.

    Run daily by the scheduler. A case is due when it is not closed, its consent
    is live on `on`, and its last update was a month or more before `on`.
    """
    sent: list[uuid.UUID] = []
    with hub.sessions.begin() as session:
        for case in _live_cases(session, on):
            last = case.last_progress_at
            if last is not None and on < one_month_after(last.date()):
                continue
            enqueue_progress(
                hub, session, case, [status_code(case)], actor_id=None, on=on
            )
            audit.record(
                session,
                actor=None,
                action=Permission.PROGRESS_SEND,
                subject=case.pseudonym,
                details={"case_id": str(case.id), "event": "progress:monthly"},
            )
            sent.append(case.id)
    return sent


def _live_cases(session: Session, on: date) -> list[CaseRow]:
    query = (
        select(CaseRow)
        .where(
            CaseRow.status != CaseStatus.CLOSED.value,
            CaseRow.consent_ended_at.is_(None),
            CaseRow.consent_expires_on >= on,
        )
        .order_by(CaseRow.opened_at, CaseRow.id)
    )
    return list(session.scalars(query))
