"""Retention on the hub: identified records never outlive what allowed them.

A consent that lapses (its expiry passes) stops covering the student at once:
the case page already shows nothing from then on. This sweep then destroys the
sealed records themselves, as a revocation does, and certifies it to the
district. A closed case keeps its identified records for the agreement's
`destroy_days_after_close`, then they go too. The case stays, de-identified.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.domain.case import CaseStatus
from youthbridge.hub.events import add_event
from youthbridge.hub.inbox import certify, destroy_identified
from youthbridge.hub.node import HubNode
from youthbridge.security import audit
from youthbridge.security.permissions import Permission
from youthbridge.security.vault import DestructionReason
from youthbridge.storage.case_tables import CaseRow

LAPSED = "expired"
RETENTION_ENDED = "retention-ended"


@dataclass(frozen=True)
class Swept:
    """The cases whose identified records one sweep destroyed, by reason."""

    lapsed: tuple[uuid.UUID, ...]
    retention_ended: tuple[uuid.UUID, ...]


def destroy_lapsed(hub: HubNode, on: date) -> Swept:
    """Destroy the identified records no consent or retention period covers on `on`."""
    closed_before = _start_of(
        on - timedelta(days=hub.agreement.destroy_days_after_close)
    )
    with hub.sessions.begin() as session:
        lapsed = _sweep(hub, session, _lapsed(session, on), LAPSED)
        ended = _sweep(hub, session, _closed(session, closed_before), RETENTION_ENDED)
    return Swept(tuple(lapsed), tuple(ended))


def _lapsed(session: Session, on: date) -> list[CaseRow]:
    # A consent covers through its expiry date; from the next day it does not.
    return list(
        session.scalars(
            select(CaseRow).where(
                CaseRow.identified_destroyed_at.is_(None),
                CaseRow.consent_expires_on < on,
            )
        )
    )


def _closed(session: Session, closed_before: datetime) -> list[CaseRow]:
    return list(
        session.scalars(
            select(CaseRow).where(
                CaseRow.identified_destroyed_at.is_(None),
                CaseRow.status == CaseStatus.CLOSED.value,
                CaseRow.updated_at < closed_before,
            )
        )
    )


def _sweep(
    hub: HubNode, session: Session, cases: list[CaseRow], why: str
) -> list[uuid.UUID]:
    reason = (
        DestructionReason.CONSENT_EXPIRED
        if why == LAPSED
        else DestructionReason.RETENTION_ENDED
    )
    swept = []
    for case in cases:
        destroyed = destroy_identified(hub, session, case, reason, why)
        certificate = certify(hub, session, case, case.district_party, destroyed)
        audit.record(
            session,
            actor=None,
            action=Permission.RECORD_DESTROY,
            subject=case.pseudonym,
            details={
                "event": "records:destroyed",
                "reason": why,
                "case_id": str(case.id),
                "certificate_id": str(certificate.certificate_id),
                "items": destroyed,
            },
        )
        add_event(
            session,
            case,
            "consent:ended",
            actor_id=None,
            codes=[why, "records:destroyed"],
        )
        swept.append(case.id)
    return swept


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
