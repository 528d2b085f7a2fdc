"""The outreach queue: who is to be offered help, and what each family answered.

Students come into the queue three ways: the hub asks (under pseudonyms, which are
re-identified here and nowhere else), school staff refer a student, or a family
refers itself. A family's answer is recorded by a named counselor. When a family
declines or cannot be reached, the hub learns the outcome code and nothing else,
and no view that school staff see shows it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.district.consent import store_consent
from youthbridge.district.hub_link import HubLink, hub_link
from youthbridge.district.node import DistrictNode
from youthbridge.district.pseudonyms import reidentify
from youthbridge.district.student_lookup import pseudonym_of, require_student
from youthbridge.domain.agreement import Agreement
from youthbridge.domain.consent import ConsentDraft
from youthbridge.domain.errors import NotFound, Problem, Refused
from youthbridge.domain.referral import (
    BLOCKING_STATES,
    OPEN_STATES,
    ReferralSource,
    ReferralState,
    Transition,
    outreach_allowed_from,
    start,
    transition,
)
from youthbridge.exchange.inbox import Apply
from youthbridge.exchange.messages import (
    Envelope,
    OutreachOutcome,
    OutreachRequest,
    read_payload,
)
from youthbridge.exchange.vocabulary import ConsentOutcome, OutreachResult
from youthbridge.security import audit
from youthbridge.security.permissions import Actor, Permission, require
from youthbridge.storage.base import utcnow
from youthbridge.storage.consent_tables import Referral, ReferralTransition

log = structlog.get_logger(__name__)

_ANSWERS = {
    ConsentOutcome.ACCEPTED: ReferralState.ACCEPTED,
    ConsentOutcome.DECLINED: ReferralState.DECLINED,
    ConsentOutcome.UNREACHABLE: ReferralState.UNREACHABLE,
}
_RESULTS = {
    ConsentOutcome.DECLINED: OutreachResult.DECLINED,
    ConsentOutcome.UNREACHABLE: OutreachResult.UNREACHABLE,
}
_QUEUE_STATES = (ReferralState.REQUESTED, ReferralState.IN_OUTREACH)


@dataclass(frozen=True)
class QueueItem:
    """One family still to be reached, as the counselor's working list shows it."""

    referral_id: uuid.UUID
    student_id: str
    source: ReferralSource
    state: ReferralState
    reasons: tuple[str, ...]
    offer: str
    opened_at: datetime


# -- from the hub --------------------------------------------------------------


def apply_outreach_request(
    node: DistrictNode, *, clock: Callable[[], datetime] = utcnow
) -> Apply:
    """The inbox's `apply` for the hub's outreach requests to this district."""

    def apply(session: Session, envelope: Envelope) -> None:
        request = read_payload(envelope, OutreachRequest)
        if request.district_code != node.code:
            raise Refused(
                f"outreach request {request.request_id} is for district"
                f" `{request.district_code}`, not `{node.code}`",
                code="outreach:district",
            )
        now = clock()
        students = _reidentify_all(node, request)
        _refuse_blocked(session, students, now.date(), node.agreement)

        for item in request.students:
            _open_from_request(
                session, request, item.pseudonym, students[item.pseudonym], now
            )
        log.info(
            "district.outreach.request_applied",
            request_id=str(request.request_id),
            students=len(request.students),
        )

    return apply


def _reidentify_all(node: DistrictNode, request: OutreachRequest) -> dict[str, str]:
    # Every pseudonym is tried before refusing, so that the error lists them all.
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for item in request.students:
        try:
            found[item.pseudonym] = reidentify(node, item.pseudonym)
        except NotFound as error:
            problems.append(_request_problem(item.pseudonym, error.message, error.code))
    if problems:
        raise NotFound(
            f"outreach request {request.request_id} names {len(problems)} pseudonym(s)"
            " this district did not make; nothing was queued",
            code="pseudonym:unknown",
            problems=problems,
        )
    return found


def _request_problem(pseudonym: str, message: str, rule: str) -> Problem:
    return Problem(
        file="outreach:request",
        line=None,
        column="students.pseudonym",
        value=pseudonym,
        rule=rule,
        message=message,
    )


def _refuse_blocked(
    session: Session, students: dict[str, str], today: date, agreement: Agreement
) -> None:
    problems = []
    for pseudonym, student_id in students.items():
        allowed_from = _blocked_until(session, student_id, today, agreement)
        if allowed_from is not None:
            message = f"outreach to this student may start again on {allowed_from}"
            problems.append(_request_problem(pseudonym, message, "outreach:blocked"))
    if problems:
        raise Refused(
            f"{len(problems)} student(s) of the request answered an offer recently;"
            " nothing was queued",
            code="outreach:blocked",
            problems=problems,
        )


def _blocked_until(
    session: Session, student_id: str, today: date, agreement: Agreement
) -> date | None:
    """The day outreach may start again, if a recent answer still blocks it."""
    answered = session.scalars(
        select(Referral.updated_at).where(
            Referral.student_id == student_id, Referral.state.in_(BLOCKING_STATES)
        )
    ).all()
    if not answered:
        return None
    allowed_from = outreach_allowed_from(max(answered).date(), agreement)
    return allowed_from if today < allowed_from else None


def _open_from_request(
    session: Session,
    request: OutreachRequest,
    pseudonym: str,
    student_id: str,
    now: datetime,
) -> None:
    item = next(s for s in request.students if s.pseudonym == pseudonym)
    if _open_referral_of(session, student_id) is not None:
        # The family is already being offered help; a second offer adds nothing.
        return
    _open(
        session,
        student_id=student_id,
        pseudonym=pseudonym,
        source=ReferralSource.HUB_OUTREACH_REQUEST,
        reasons=item.reasons,
        offer=request.offer,
        by="hub",
        at=now,
        request_id=request.request_id,
    )


# -- from school staff and families -----------------------------------------------


def refer_student(
    node: DistrictNode,
    *,
    actor: Actor,
    student_id: str,
    source: ReferralSource,
    reasons: Sequence[str],
    offer: str,
    now: datetime | None = None,
) -> uuid.UUID:
    """Put a student in the queue on a school staff or a family's own referral."""
    require(actor, Permission.OUTREACH_DECIDE)
    if source is ReferralSource.HUB_OUTREACH_REQUEST:
        raise Refused(
            "a hub outreach request arrives as a message, not as a referral here",
            code="referral:source",
        )
    moment = now or utcnow()
    with node.sessions.begin() as session:
        require_student(session, student_id)
        _refuse_duplicate(session, student_id)
        # A family asking for help is never blocked; outreach by staff is.
        if source is ReferralSource.SCHOOL_STAFF:
            _refuse_recently_answered(session, student_id, moment, node.agreement)
        referral = _open(
            session,
            student_id=student_id,
            pseudonym=pseudonym_of(session, node, student_id),
            source=source,
            reasons=tuple(reasons),
            offer=offer,
            by=actor.id,
            at=moment,
        )
        _audit(session, actor, referral, "requested", moment)
    return referral.id


def _refuse_recently_answered(
    session: Session, student_id: str, now: datetime, agreement: Agreement
) -> None:
    allowed_from = _blocked_until(session, student_id, now.date(), agreement)
    if allowed_from is not None:
        raise Refused(
            f"this family answered an offer recently; outreach may start"
            f" again on {allowed_from}",
            code="outreach:blocked",
        )


def _refuse_duplicate(session: Session, student_id: str) -> None:
    existing = _open_referral_of(session, student_id)
    if existing is not None:
        raise Refused(
            f"this student already has referral {existing.id} ({existing.state});"
            " add to it rather than opening another",
            code="referral:duplicate",
        )


def _open_referral_of(session: Session, student_id: str) -> Referral | None:
    return session.scalars(
        select(Referral).where(
            Referral.student_id == student_id, Referral.state.in_(OPEN_STATES)
        )
    ).first()


def _open(
    session: Session,
    *,
    student_id: str,
    pseudonym: str,
    source: ReferralSource,
    reasons: Sequence[str],
    offer: str,
    by: str,
    at: datetime,
    request_id: uuid.UUID | None = None,
) -> Referral:
    first = start(source=source, by=by, at=at)
    referral = Referral(
        id=uuid.uuid4(),
        student_id=student_id,
        pseudonym=pseudonym,
        source=source,
        state=first.to_state,
        request_id=request_id,
        reasons=list(reasons),
        offer=offer,
        opened_at=at,
        updated_at=at,
    )
    session.add(referral)
    session.flush()
    _keep(session, referral, first)
    return referral


def _keep(session: Session, referral: Referral, move: Transition) -> None:
    referral.state = move.to_state
    referral.updated_at = move.at
    session.add(
        ReferralTransition(
            referral_id=referral.id,
            from_state=move.from_state,
            to_state=move.to_state,
            by_account=move.by,
            at=move.at,
            reason=move.reason,
        )
    )


# -- the counselor's work -----------------------------------------------------------


def outreach_queue(node: DistrictNode, *, actor: Actor) -> list[QueueItem]:
    """The families still to be reached, oldest first."""
    require(actor, Permission.OUTREACH_VIEW)
    query = (
        select(Referral)
        .where(Referral.state.in_(_QUEUE_STATES))
        .order_by(Referral.opened_at)
    )
    with node.sessions() as session:
        return [
            QueueItem(
                referral_id=row.id,
                student_id=row.student_id,
                source=row.source,
                state=row.state,
                reasons=tuple(row.reasons),
                offer=row.offer,
                opened_at=row.opened_at,
            )
            for row in session.scalars(query)
        ]


def begin_outreach(
    node: DistrictNode,
    *,
    actor: Actor,
    referral_id: uuid.UUID,
    reason: str = "counselor-contacting",
    now: datetime | None = None,
) -> None:
    """A counselor starts reaching out to the family (or tries again)."""
    require(actor, Permission.OUTREACH_DECIDE)
    moment = now or utcnow()
    with node.sessions.begin() as session:
        referral = _referral(session, referral_id)
        move = transition(
            referral.state,
            ReferralState.IN_OUTREACH,
            by=actor.id,
            at=moment,
            reason=reason,
        )
        _keep(session, referral, move)
        _audit(session, actor, referral, str(move.to_state), moment)


def record_decision(
    node: DistrictNode,
    *,
    actor: Actor,
    referral_id: uuid.UUID,
    decision: ConsentOutcome,
    reason: str,
    consent: ConsentDraft | None = None,
    now: datetime | None = None,
    link: HubLink | None = None,
) -> uuid.UUID | None:
    """The family's answer; an acceptance is its signed consent (whose id returns)."""
    require(actor, Permission.OUTREACH_DECIDE)
    if (decision is ConsentOutcome.ACCEPTED) != (consent is not None):
        raise Refused(
            "an acceptance is recorded with the family's signed consent form,"
            " and only an acceptance is",
            code="referral:consent",
        )
    moment = now or utcnow()
    sender = link or hub_link(node)
    with node.sessions.begin() as session:
        referral = _referral(session, referral_id)
        move = transition(
            referral.state, _ANSWERS[decision], by=actor.id, at=moment, reason=reason
        )
        _keep(session, referral, move)
        _audit(session, actor, referral, str(decision), moment)
        if consent is not None:
            return store_consent(
                session, node, referral, consent, actor=actor, now=moment, link=sender
            ).consent_id
        _tell_hub_of_answer(session, referral, decision, sender)
    return None


def _tell_hub_of_answer(
    session: Session, referral: Referral, decision: ConsentOutcome, link: HubLink
) -> None:
    # Only the hub's own requests are answered: a family that school staff
    # referred and that said no was never known to the hub, and stays unknown.
    if referral.request_id is None:
        return
    outcome = OutreachOutcome(
        request_id=referral.request_id,
        pseudonym=referral.pseudonym,
        result=_RESULTS[decision],
    )
    link.send(
        session,
        outcome,
        subject=referral.pseudonym,
        idempotency_key=f"outreach-outcome:{referral.id}",
    )


def _referral(session: Session, referral_id: uuid.UUID) -> Referral:
    referral = session.get(Referral, referral_id, with_for_update=True)
    if referral is None:
        raise NotFound(f"there is no referral {referral_id}", code="referral:not-found")
    return referral


def _audit(
    session: Session, actor: Actor, referral: Referral, step: str, at: datetime
) -> None:
    audit.record(
        session,
        actor=actor,
        action=Permission.OUTREACH_DECIDE,
        subject=referral.pseudonym,
        details={"referral_id": str(referral.id), "step": step},
        now=at,
    )
