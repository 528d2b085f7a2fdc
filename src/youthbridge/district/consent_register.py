"""The register of consents that outreach staff and the data steward work from.

Each consent is listed with its state on the day, worked out from its terms as
a release would work it out (`domain.consent.consent_state`), never stored; one
that ends within the warning window is marked so that the family can be asked
to renew in time. Viewing the register is audited like viewing one consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.district.consent import to_consent
from youthbridge.district.node import DistrictNode
from youthbridge.district.student_lookup import birth_date_of
from youthbridge.domain.consent import Consent, ConsentState, consent_state
from youthbridge.security import audit
from youthbridge.security.permissions import Actor, Permission, require
from youthbridge.storage.consent_tables import ConsentRecord

# Families are asked to renew a consent in the two months before it ends.
EXPIRING_WITHIN = timedelta(days=60)


@dataclass(frozen=True)
class RegisterEntry:
    """One consent as the register shows it."""

    consent: Consent
    student_id: str
    state: ConsentState
    expiring_soon: bool


def consent_register(
    node: DistrictNode, *, actor: Actor, on: date
) -> list[RegisterEntry]:
    """Every consent of the district with its state on `on`, latest signed first."""
    require(actor, Permission.CONSENT_VIEW)
    query = select(ConsentRecord).order_by(
        ConsentRecord.signed_on.desc(), ConsentRecord.recorded_at.desc()
    )
    with node.sessions.begin() as session:
        rows = list(session.scalars(query))
        entries = _entries(node, session, rows, on)
        audit.record(
            session,
            actor=actor,
            action=Permission.CONSENT_VIEW,
            details={"event": "consent:register", "consents": len(entries)},
        )
    return entries


def _entries(
    node: DistrictNode, session: Session, rows: list[ConsentRecord], on: date
) -> list[RegisterEntry]:
    consents = [to_consent(row) for row in rows]
    by_student: dict[str, list[Consent]] = {}
    for row, consent in zip(rows, consents, strict=True):
        by_student.setdefault(row.student_id, []).append(consent)
    births = {student: birth_date_of(session, student) for student in by_student}
    entries = []
    for row, consent in zip(rows, consents, strict=True):
        state = consent_state(
            consent,
            on,
            birth_date=births[row.student_id],
            later_consents=by_student[row.student_id],
            agreement=node.agreement,
        )
        soon = (
            state is ConsentState.ACTIVE and consent.expires_on - on <= EXPIRING_WITHIN
        )
        entries.append(RegisterEntry(consent, row.student_id, state, soon))
    return entries
