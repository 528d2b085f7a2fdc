"""Asking a district to reach out: the hub's side of a referral.

A person on the hub reviews the at-risk flags and asks the district to offer a
programme to some of its students. The request names pseudonyms and the rule
codes of their flags, nothing more; the district alone can tell who they are.
The referral rows, the outbox message and the audit entry are written in one
transaction, so a request exists on the hub if and only if it will be sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import polars as pl
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.domain.errors import Refused
from youthbridge.domain.risk import RuleCode
from youthbridge.exchange.messages import (
    Envelope,
    MessageType,
    OutreachRequest,
    OutreachStudent,
)
from youthbridge.exchange.outbox import enqueue
from youthbridge.exchange.parties import Party, PartyKind
from youthbridge.hub.node import HubNode
from youthbridge.hub.review import Review
from youthbridge.security import audit
from youthbridge.security.accounts import Account
from youthbridge.security.permissions import Permission, require
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import ReferralRow

_RULE_CODES = frozenset(code.value for code in RuleCode)


class ReferralState(StrEnum):
    """Where a referral stands; results keep the codes the district sent."""

    REQUESTED = "requested"
    REACHED = "reached"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"
    NOT_ENROLLED = "not-enrolled"


@dataclass(frozen=True)
class OutreachRequested:
    request_id: uuid.UUID
    referral_ids: dict[str, uuid.UUID]
    envelope: Envelope


def flagged_students(review: Review, district_code: str) -> dict[str, tuple[str, ...]]:
    """Each at-risk student of one district and the rule codes of their flags."""
    students = review.students.filter(pl.col("district") == district_code)
    return {
        str(row["pseudonym"]): tuple(str(code) for code in row["rules"])
        for row in students.iter_rows(named=True)
    }


def request_outreach(
    hub: HubNode,
    *,
    actor: Account,
    district: Party,
    pseudonyms_with_flags: Mapping[str, Sequence[str]],
    offer: str,
    sender_key: Ed25519PrivateKey | None = None,
    assign_to: Account | None = None,
    team: str | None = None,
) -> OutreachRequested:
    """Ask the district to offer `offer` to these students, for these flags."""
    require(actor, Permission.OUTREACH_REQUEST)
    payload = _request(district, pseudonyms_with_flags, offer)
    with hub.sessions.begin() as session:
        _refuse_recent(hub, session, district, payload)
        referrals = _add_referrals(session, actor, district, payload, assign_to, team)
        envelope = enqueue(
            session,
            sender_key=sender_key or hub.signing_key(),
            sender=hub.party_id,
            recipient=district.party_id,
            type=MessageType.OUTREACH_REQUEST,
            payload=payload,
            idempotency_key=f"outreach:{payload.request_id}",
        )
        audit.record(
            session,
            actor=actor,
            action=Permission.OUTREACH_REQUEST,
            details={
                "request_id": str(payload.request_id),
                "district": district.district_code,
                "offer": payload.offer,
                "pseudonyms": sorted(referrals),
            },
        )
    return OutreachRequested(payload.request_id, referrals, envelope)


def _request(
    district: Party, students: Mapping[str, Sequence[str]], offer: str
) -> OutreachRequest:
    if district.kind is not PartyKind.DISTRICT or district.district_code is None:
        raise Refused("Outreach is asked of a district.", code="outreach:district")
    for reasons in students.values():
        if not reasons or not set(reasons) <= _RULE_CODES:
            raise Refused(
                "Each student's reasons are the rule codes of their flags from the"
                " at-risk review, and at least one.",
                code="outreach:reasons",
            )
    try:
        return OutreachRequest(
            request_id=uuid.uuid4(),
            district_code=district.district_code,
            students=tuple(
                OutreachStudent(pseudonym=pseudonym, reasons=tuple(sorted(reasons)))
                for pseudonym, reasons in sorted(students.items())
            ),
            offer=offer,
        )
    except ValidationError:
        raise Refused(
            "The request needs at least one student, pseudonyms as the review shows"
            " them, and the offer as a programme code such as `youth-mentoring`.",
            code="outreach:request",
        ) from None


def _refuse_recent(
    hub: HubNode, session: Session, district: Party, request: OutreachRequest
) -> None:
    # A family is not asked again and again: the agreement sets how long after
    # a request the same student may not be asked about once more.
    since = utcnow() - timedelta(days=hub.agreement.re_outreach_block_days)
    pseudonyms = [student.pseudonym for student in request.students]
    recent = session.scalars(
        select(ReferralRow.pseudonym).where(
            ReferralRow.district_code == district.district_code,
            ReferralRow.pseudonym.in_(pseudonyms),
            ReferralRow.requested_at >= since,
        )
    ).all()
    if recent:
        listed = ", ".join(sorted(set(recent)))
        raise Refused(
            f"{len(set(recent))} of these students were asked about in the last"
            f" {hub.agreement.re_outreach_block_days} days: {listed}."
            " Leave them out of this request.",
            code="outreach:too-soon",
        )


def _add_referrals(
    session: Session,
    actor: Account,
    district: Party,
    request: OutreachRequest,
    assign_to: Account | None,
    team: str | None,
) -> dict[str, uuid.UUID]:
    now = utcnow()
    ids: dict[str, uuid.UUID] = {}
    for student in request.students:
        referral = ReferralRow(
            id=uuid.uuid4(),
            request_id=request.request_id,
            district_code=request.district_code,
            district_party=district.party_id,
            pseudonym=student.pseudonym,
            reasons=list(student.reasons),
            offer=request.offer,
            state=ReferralState.REQUESTED.value,
            requested_by=actor.id,
            assign_to=None if assign_to is None else assign_to.id,
            team=team or (None if assign_to is None else assign_to.team),
            requested_at=now,
            updated_at=now,
        )
        session.add(referral)
        ids[student.pseudonym] = referral.id
    return ids
