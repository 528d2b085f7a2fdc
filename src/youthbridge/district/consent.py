"""Recording a family's signed release of information, and its revocation.

A consent is validated in full before it is stored, and the hub is told of it in
the same transaction. A revocation is stored beside the consent it ends and tells
the hub to destroy what it holds. Whether a consent covers a release is decided
at the release (district/disclosure_log.py), never stored.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.district.hub_link import HubLink, hub_link
from youthbridge.district.node import DistrictNode
from youthbridge.district.student_lookup import birth_date_of
from youthbridge.domain.consent import (
    Consent,
    ConsentDraft,
    RecordCategory,
    Revocation,
    SignatureEvidence,
    SignerCapacity,
    revoke,
    validate_consent,
)
from youthbridge.domain.errors import NotFound, Refused
from youthbridge.domain.referral import ReferralState
from youthbridge.exchange.messages import ConsentNotice, ConsentRevoked
from youthbridge.exchange.vocabulary import ConsentOutcome, RevocationReason
from youthbridge.security import audit
from youthbridge.security.permissions import Actor, Permission, require
from youthbridge.storage.base import utcnow
from youthbridge.storage.consent_tables import ConsentRecord, Referral


def record_consent(
    node: DistrictNode,
    *,
    actor: Actor,
    referral_id: uuid.UUID,
    draft: ConsentDraft,
    now: datetime | None = None,
    link: HubLink | None = None,
) -> Consent:
    """A further consent for an accepted referral: a renewal, or the student's own.

    A family's first consent is recorded with its acceptance, through
    `outreach.record_decision`.
    """
    require(actor, Permission.CONSENT_RECORD)
    moment = now or utcnow()
    sender = link or hub_link(node)
    with node.sessions.begin() as session:
        referral = session.get(Referral, referral_id)
        if referral is None or referral.state is not ReferralState.ACCEPTED:
            raise Refused(
                f"referral {referral_id} is not an accepted referral; record the"
                " family's answer first",
                code="consent:referral",
            )
        return store_consent(
            session, node, referral, draft, actor=actor, now=moment, link=sender
        )


def store_consent(
    session: Session,
    node: DistrictNode,
    referral: Referral,
    draft: ConsentDraft,
    *,
    actor: Actor,
    now: datetime,
    link: HubLink,
) -> Consent:
    """Validate, store and announce a consent, in the caller's transaction."""
    require(actor, Permission.CONSENT_RECORD)
    consent = validate_consent(
        replace(draft, student=referral.pseudonym),
        consent_id=uuid.uuid4(),
        recorded_at=now,
        agreement=node.agreement,
        birth_date=birth_date_of(session, referral.student_id),
    )
    session.add(_row(consent, referral, recorded_by=actor.id))

    notice = ConsentNotice(
        # The hub knows a referral by the request it made; the district's own
        # id means nothing there. A family referred here has no request.
        referral_id=referral.request_id or referral.id,
        pseudonym=referral.pseudonym,
        outcome=ConsentOutcome.ACCEPTED,
        consent_id=consent.consent_id,
        categories=consent.categories,
        expires_on=consent.expires_on,
    )
    link.send(
        session,
        notice,
        subject=referral.pseudonym,
        idempotency_key=f"consent-notice:{consent.consent_id}",
    )
    _audit(session, actor, Permission.CONSENT_RECORD, consent, now)
    return consent


def revoke_consent(
    node: DistrictNode,
    *,
    actor: Actor,
    consent_id: uuid.UUID,
    by: SignerCapacity,
    on: date,
    now: datetime | None = None,
    link: HubLink | None = None,
) -> Consent:
    """The signer withdraws the consent from `on`; the hub is told to destroy."""
    require(actor, Permission.CONSENT_REVOKE)
    moment = now or utcnow()
    sender = link or hub_link(node)
    with node.sessions.begin() as session:
        row = _stored(session, consent_id, for_update=True)
        revoked = revoke(to_consent(row), by=by, on=on, recorded_at=moment)
        row.revoked_on = on
        row.revoked_by = by
        row.revocation_recorded_at = moment
        row.revocation_recorded_by = actor.id

        message = ConsentRevoked(
            consent_id=consent_id,
            pseudonym=row.pseudonym,
            reason=RevocationReason.REVOKED,
            effective_at=datetime.combine(on, time(0), tzinfo=UTC),
        )
        sender.send(
            session,
            message,
            subject=row.pseudonym,
            idempotency_key=f"consent-revoked:{consent_id}",
        )
        _audit(session, actor, Permission.CONSENT_REVOKE, revoked, moment)
    return revoked


def get_consent(node: DistrictNode, *, actor: Actor, consent_id: uuid.UUID) -> Consent:
    """One stored consent, for staff who may see consents."""
    require(actor, Permission.CONSENT_VIEW)
    with node.sessions.begin() as session:
        consent = to_consent(_stored(session, consent_id))
        _audit(session, actor, Permission.CONSENT_VIEW, consent, utcnow())
    return consent


def stored_consents(session: Session, student_id: str) -> list[Consent]:
    """Every consent of one student, in the caller's transaction.

    Only for services that have already checked the acting person's access.
    """
    rows = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.student_id == student_id)
        .order_by(ConsentRecord.signed_on, ConsentRecord.recorded_at)
    )
    return [to_consent(row) for row in rows]


def _stored(
    session: Session, consent_id: uuid.UUID, *, for_update: bool = False
) -> ConsentRecord:
    row = session.get(ConsentRecord, consent_id, with_for_update=for_update)
    if row is None:
        raise NotFound(f"there is no consent {consent_id}", code="consent:not-found")
    return row


def to_consent(row: ConsentRecord) -> Consent:
    """The domain consent that a stored row holds."""
    revocation = None
    if row.revoked_on is not None:
        assert row.revoked_by is not None
        assert row.revocation_recorded_at is not None
        revocation = Revocation(
            row.revoked_on, row.revoked_by, row.revocation_recorded_at
        )
    return Consent(
        consent_id=row.id,
        student=row.pseudonym,
        categories=tuple(RecordCategory(item) for item in row.categories),
        purpose=row.purpose,
        receiving_party=row.receiving_party,
        signer_capacity=row.signer_capacity,
        signature=SignatureEvidence(
            method=row.signature_method,
            document_sha256=row.document_sha256,
            authentication=row.authentication,
            signed_at=row.signed_at,
        ),
        signed_on=row.signed_on,
        expires_on=row.expires_on,
        form_language=row.form_language,
        form_version=row.form_version,
        recorded_at=row.recorded_at,
        revocation=revocation,
    )


def _row(consent: Consent, referral: Referral, *, recorded_by: str) -> ConsentRecord:
    return ConsentRecord(
        id=consent.consent_id,
        referral_id=referral.id,
        student_id=referral.student_id,
        pseudonym=consent.student,
        categories=[str(category) for category in consent.categories],
        purpose=consent.purpose,
        receiving_party=consent.receiving_party,
        signer_capacity=consent.signer_capacity,
        signature_method=consent.signature.method,
        authentication=consent.signature.authentication,
        document_sha256=consent.signature.document_sha256,
        signed_at=consent.signature.signed_at,
        signed_on=consent.signed_on,
        expires_on=consent.expires_on,
        form_language=consent.form_language,
        form_version=consent.form_version,
        recorded_at=consent.recorded_at,
        recorded_by=recorded_by,
    )


def _audit(
    session: Session,
    actor: Actor,
    action: Permission,
    consent: Consent,
    at: datetime,
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        purpose=consent.purpose,
        subject=consent.student,
        details={
            "consent_id": str(consent.consent_id),
            "categories": [str(category) for category in consent.categories],
        },
        now=at,
    )
