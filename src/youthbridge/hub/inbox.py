"""What the hub does with each message a district sends it.

Each handler runs inside the inbox's transaction for that message, so its
changes, its audit entry and any reply it queues commit with the inbox row or
not at all. A handler speaks only of the sender's own referrals and cases: a
district cannot touch another district's student.

- `outreach:outcome`: the referral keeps the result code, nothing else.
- `consent:notice`: an acceptance opens a case with the consent's terms.
- `record:release`: records are sealed with the student's key, and only in the
  categories the consent names; any other category refuses the whole message,
  whose payload is then not kept.
- `consent:revoked`: the student's key is destroyed, the sealed records go, the
  case stays de-identified, and a destruction certificate goes back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import date

import structlog
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from youthbridge.domain.case import CaseStatus
from youthbridge.domain.errors import NotFound, Refused
from youthbridge.exchange.errors import ContentRefused
from youthbridge.exchange.inbox import Apply, withhold_payload
from youthbridge.exchange.messages import (
    ConsentNotice,
    ConsentRevoked,
    DestructionCertificate,
    Envelope,
    MessageType,
    OutreachOutcome,
    RecordRelease,
    read_payload,
)
from youthbridge.exchange.outbox import enqueue
from youthbridge.exchange.parties import PartyDirectory
from youthbridge.exchange.tables import InboxMessage
from youthbridge.exchange.vocabulary import ConsentOutcome, RevocationReason
from youthbridge.hub.events import add_event
from youthbridge.hub.node import HubNode
from youthbridge.hub.outreach import ReferralState
from youthbridge.hub.progress import enqueue_progress, status_code
from youthbridge.hub.store import ReleaseApplier
from youthbridge.security import audit
from youthbridge.security.permissions import Permission
from youthbridge.security.vault import DestructionReason
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import (
    CaseGoalRow,
    CaseNoteRow,
    CaseRecordRow,
    CaseRow,
    ReferralRow,
)

log = structlog.get_logger(__name__)

DEFAULT_INTAKE_TEAM = "intake"

_DESTRUCTION_REASONS = {
    RevocationReason.REVOKED: DestructionReason.CONSENT_REVOKED,
    RevocationReason.EXPIRED: DestructionReason.CONSENT_EXPIRED,
    RevocationReason.REACHED_MAJORITY: DestructionReason.CONSENT_EXPIRED,
}


def hub_inbox_handlers(
    hub: HubNode, parties: PartyDirectory, *, intake_team: str = DEFAULT_INTAKE_TEAM
) -> dict[MessageType, Apply]:
    """The hub's handler for each message type a district may send it."""

    def bound(handler: Callable[[HubNode, Session, Envelope], None]) -> Apply:
        return lambda session, envelope: handler(hub, session, envelope)

    def consent(session: Session, envelope: Envelope) -> None:
        apply_consent_notice(hub, session, envelope, intake_team=intake_team)

    return {
        MessageType.DEIDENTIFIED_RELEASE: ReleaseApplier(
            parties, hub.agreement.k_minimum
        ),
        MessageType.OUTREACH_OUTCOME: bound(apply_outreach_outcome),
        MessageType.CONSENT_NOTICE: consent,
        MessageType.RECORD_RELEASE: bound(apply_record_release),
        MessageType.CONSENT_REVOKED: bound(apply_consent_revoked),
    }


def dispatch(handlers: Mapping[MessageType, Apply]) -> Apply:
    """One `apply` that routes each message to the handler of its type."""

    def apply(session: Session, envelope: Envelope) -> None:
        handler = handlers.get(envelope.type)
        if handler is None:
            raise Refused(
                f"the hub does not take {envelope.type} messages",
                code="message:type",
            )
        handler(session, envelope)

    return apply


def apply_outreach_outcome(hub: HubNode, session: Session, envelope: Envelope) -> None:
    """Keep what the district's outreach came to: the result code, nothing else."""
    outcome = read_payload(envelope, OutreachOutcome)
    referral = _referral(
        session, envelope.sender, outcome.request_id, outcome.pseudonym
    )
    referral.state = ReferralState(outcome.result.value).value
    referral.outcome_code = outcome.result.value
    referral.updated_at = utcnow()
    _audit(
        session,
        Permission.OUTREACH_REQUEST,
        referral.pseudonym,
        "outreach:outcome",
        referral_id=str(referral.id),
        result=outcome.result.value,
    )


def apply_consent_notice(
    hub: HubNode, session: Session, envelope: Envelope, *, intake_team: str
) -> None:
    """Record the family's answer; an acceptance opens (or renews) the case."""
    notice = read_payload(envelope, ConsentNotice)
    referral = _referral(session, envelope.sender, notice.referral_id, notice.pseudonym)
    referral.state = notice.outcome.value
    referral.outcome_code = notice.outcome.value
    referral.updated_at = utcnow()
    if notice.outcome is not ConsentOutcome.ACCEPTED:
        _audit(
            session,
            Permission.OUTREACH_REQUEST,
            referral.pseudonym,
            "consent:answer",
            referral_id=str(referral.id),
            result=notice.outcome.value,
        )
        return

    consent_id, expires_on = _granted(notice)
    if expires_on < utcnow().date():
        raise Refused("The consent has already expired.", code="consent:expired")
    case = session.scalar(select(CaseRow).where(CaseRow.referral_id == referral.id))
    if case is None:
        case = _open_case(hub, session, referral, notice, intake_team)
    else:
        _renew_consent(session, case, notice)
    _audit(
        session,
        Permission.CASE_MANAGE,
        case.pseudonym,
        "case:open",
        case_id=str(case.id),
        consent_id=str(consent_id),
        categories=[str(item) for item in notice.categories],
    )


def _open_case(
    hub: HubNode,
    session: Session,
    referral: ReferralRow,
    notice: ConsentNotice,
    intake_team: str,
) -> CaseRow:
    now = utcnow()
    consent_id, expires_on = _granted(notice)
    case = CaseRow(
        id=uuid.uuid4(),
        referral_id=referral.id,
        district_code=referral.district_code,
        district_party=referral.district_party,
        pseudonym=referral.pseudonym,
        status=CaseStatus.OPEN.value,
        assigned_to=referral.assign_to,
        team=referral.team or intake_team,
        consent_id=consent_id,
        consent_categories=[str(item) for item in notice.categories],
        consent_expires_on=expires_on,
        opened_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    add_event(
        session,
        case,
        "case:opened",
        actor_id=None,
        codes=case.consent_categories,
        to_status=case.status,
    )
    enqueue_progress(hub, session, case, [status_code(case)], actor_id=None)
    log.info("hub.case.opened", case_id=str(case.id), pseudonym=case.pseudonym)
    return case


def _granted(notice: ConsentNotice) -> tuple[uuid.UUID, date]:
    # The payload model already insists on both for an acceptance.
    if notice.consent_id is None or notice.expires_on is None:
        raise Refused("An acceptance names its consent.", code="consent:terms")
    return notice.consent_id, notice.expires_on


def _renew_consent(session: Session, case: CaseRow, notice: ConsentNotice) -> None:
    case.consent_id, case.consent_expires_on = _granted(notice)
    case.consent_categories = [str(item) for item in notice.categories]
    case.consent_ended_at = None
    case.consent_end_reason = None
    add_event(
        session, case, "consent:renewed", actor_id=None, codes=case.consent_categories
    )


def apply_record_release(hub: HubNode, session: Session, envelope: Envelope) -> None:
    """Seal a student's released records, in the consented categories only."""
    release = read_payload(envelope, RecordRelease)
    case = _consented_case(session, envelope.sender, release)
    beyond = sorted(set(release.categories) - set(case.consent_categories))
    if beyond:
        raise ContentRefused(
            f"The release names categories the consent does not: {', '.join(beyond)}."
            " Nothing of it was kept; send a release within the consent.",
            code="record:category",
        )

    for category, items in sorted(release.records.items()):
        _store_category(hub, session, case, envelope, str(category), items)
    # The records now live sealed; the inbox keeps the envelope without them.
    withhold_payload(session, envelope.message_id)

    counts = {str(category): len(items) for category, items in release.records.items()}
    add_event(session, case, "records:received", actor_id=None, codes=sorted(counts))
    _audit(
        session,
        Permission.RECORD_RELEASE,
        case.pseudonym,
        "records:received",
        case_id=str(case.id),
        consent_id=str(release.consent_id),
        categories=sorted(counts),
        items=sum(counts.values()),
    )


def _consented_case(session: Session, sender: str, release: RecordRelease) -> CaseRow:
    case = session.scalar(
        select(CaseRow).where(
            CaseRow.pseudonym == release.pseudonym,
            CaseRow.consent_id == release.consent_id,
            CaseRow.district_party == sender,
        )
    )
    if case is None:
        raise ContentRefused(
            "No case on the hub holds this consent; nothing of the release was kept.",
            code="consent:unknown",
        )
    if case.consent_ended_at is not None or case.consent_expires_on < utcnow().date():
        raise ContentRefused(
            "The consent has ended; nothing of the release was kept.",
            code="consent:ended",
        )
    return case


def _store_category(
    hub: HubNode,
    session: Session,
    case: CaseRow,
    envelope: Envelope,
    category: str,
    items: tuple[object, ...],
) -> None:
    # A newer release of a category replaces the older one.
    session.execute(
        delete(CaseRecordRow).where(
            CaseRecordRow.case_id == case.id, CaseRecordRow.category == category
        )
    )
    plain = json.dumps(list(items), sort_keys=True, ensure_ascii=False).encode()
    aad = f"hub:record:{case.id}:{category}".encode()
    session.add(
        CaseRecordRow(
            case_id=case.id,
            category=category,
            items=len(items),
            sealed=hub.keys().encrypt(session, case.pseudonym, plain, aad),
            message_id=envelope.message_id,
            received_at=utcnow(),
        )
    )


def apply_consent_revoked(hub: HubNode, session: Session, envelope: Envelope) -> None:
    """Destroy the student's identified records now, and certify it to the district."""
    revoked = read_payload(envelope, ConsentRevoked)
    case = session.scalar(
        select(CaseRow).where(
            CaseRow.pseudonym == revoked.pseudonym,
            CaseRow.consent_id == revoked.consent_id,
            CaseRow.district_party == envelope.sender,
        )
    )
    if case is None:
        raise NotFound("No case on the hub holds this consent.", code="consent:unknown")

    destroyed = destroy_identified(
        hub, session, case, _DESTRUCTION_REASONS[revoked.reason], revoked.reason.value
    )
    certificate = certify(hub, session, case, envelope.sender, destroyed)
    add_event(
        session,
        case,
        "consent:ended",
        actor_id=None,
        codes=[revoked.reason.value, "records:destroyed"],
    )
    _audit(
        session,
        Permission.RECORD_DESTROY,
        case.pseudonym,
        "records:destroyed",
        case_id=str(case.id),
        consent_id=str(revoked.consent_id),
        certificate_id=str(certificate.certificate_id),
        items=destroyed,
    )


def certify(
    hub: HubNode, session: Session, case: CaseRow, district: str, destroyed: int
) -> DestructionCertificate:
    """Queue the certificate of destruction back to the district that asked."""
    certificate = DestructionCertificate(
        certificate_id=uuid.uuid4(),
        consent_id=case.consent_id,
        pseudonym=case.pseudonym,
        categories=tuple(case.consent_categories),
        destroyed_at=case.identified_destroyed_at or utcnow(),
        items_destroyed=destroyed,
    )
    enqueue(
        session,
        sender_key=hub.signing_key(),
        sender=hub.party_id,
        recipient=district,
        type=MessageType.DESTRUCTION_CERTIFICATE,
        payload=certificate,
        subject=case.pseudonym,
        idempotency_key=f"destruction:{case.consent_id}",
    )
    return certificate


def destroy_identified(
    hub: HubNode,
    session: Session,
    case: CaseRow,
    reason: DestructionReason,
    end_reason: str,
) -> int:
    """Shred the key, then drop every sealed value; returns how many went."""
    # A student for whom nothing was ever sealed has no key to shred.
    with suppress(NotFound):
        hub.keys().destroy(
            session,
            case.pseudonym,
            actor=None,
            reason=reason,
        )
    records = 0
    for row in session.scalars(
        select(CaseRecordRow).where(CaseRecordRow.case_id == case.id)
    ):
        records += row.items
        session.delete(row)
    typed = _clear_sealed(session, case.id)
    _withhold_releases(session, case)

    now = utcnow()
    case.consent_ended_at = now
    case.consent_end_reason = end_reason
    case.identified_destroyed_at = now
    return records + typed


def _clear_sealed(session: Session, case_id: uuid.UUID) -> int:
    # Goals and notes keep their rows (the timeline counts them) but not
    # their words.
    goals = session.scalars(
        select(CaseGoalRow).where(
            CaseGoalRow.case_id == case_id, CaseGoalRow.sealed.is_not(None)
        )
    ).all()
    notes = session.scalars(
        select(CaseNoteRow).where(
            CaseNoteRow.case_id == case_id, CaseNoteRow.sealed.is_not(None)
        )
    ).all()
    for goal in goals:
        goal.sealed = None
    for note in notes:
        note.sealed = None
    return len(goals) + len(notes)


def _withhold_releases(session: Session, case: CaseRow) -> None:
    # A release waiting for its turn, or kept as a dead letter, still holds its
    # records in the clear: none may outlive the consent.
    ids = session.scalars(
        select(InboxMessage.id).where(
            InboxMessage.sender == case.district_party,
            InboxMessage.subject == case.pseudonym,
            InboxMessage.type == MessageType.RECORD_RELEASE.value,
        )
    ).all()
    for message_id in ids:
        withhold_payload(session, message_id)


def _referral(
    session: Session, sender: str, referral_id: uuid.UUID, pseudonym: str
) -> ReferralRow:
    # A district knows the request it answered; the hub's own referral id is
    # accepted too, so that either may come back.
    referral = session.scalar(
        select(ReferralRow).where(
            or_(ReferralRow.id == referral_id, ReferralRow.request_id == referral_id),
            ReferralRow.pseudonym == pseudonym,
            ReferralRow.district_party == sender,
        )
    )
    if referral is None:
        raise NotFound("The hub made no such referral.", code="referral:unknown")
    return referral


def _audit(
    session: Session,
    action: Permission,
    subject: str,
    event: str,
    **details: str | int | list[str],
) -> None:
    # TODO: security's AuditEvent has no events for what the hub's inbox does;
    # until it does, the permission the work belongs to names the entry and
    # `event` says what happened.
    audit.record(
        session,
        actor=None,
        action=action,
        subject=subject,
        details={"event": event, **details},
    )
