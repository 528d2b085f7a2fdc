"""Steps that the outreach and release tests share: hub messages, a consented family."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import polars as pl
from sqlalchemy import select

from tests.district.consent_scenario import COUNSELOR_ROSA
from tests.domain.consent_factory import draft
from youthbridge.district.hub_link import HubLink
from youthbridge.district.node import DistrictNode
from youthbridge.district.outreach import begin_outreach, record_decision, refer_student
from youthbridge.district.pseudonyms import assign
from youthbridge.domain.consent import RecordCategory
from youthbridge.domain.referral import ReferralSource
from youthbridge.exchange.messages import (
    Envelope,
    MessageType,
    OutreachRequest,
    OutreachStudent,
    Payload,
)
from youthbridge.exchange.tables import OutboxMessage
from youthbridge.exchange.vocabulary import ConsentOutcome


def at(day: date, hour: int = 15) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def pseudonym(node: DistrictNode, student_id: str) -> str:
    frame = assign(node, pl.Series([student_id]))
    return str(frame["pseudonym"][0])


def hub_envelope(node: DistrictNode, payload: Payload, sequence: int = 1) -> Envelope:
    """A message as the hub would send it (unsigned: `apply` does not verify)."""
    return Envelope(
        message_id=uuid.uuid4(),
        type=payload.message_type,
        sender="hub",
        recipient=f"district:{node.code.lower()}",
        idempotency_key=str(uuid.uuid4()),
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        sequence=sequence,
        payload=payload.model_dump(mode="json"),
    )


def outreach_request(node: DistrictNode, *pseudonyms: str) -> OutreachRequest:
    return OutreachRequest(
        request_id=uuid.uuid4(),
        district_code=node.code,
        students=tuple(
            OutreachStudent(pseudonym=item, reasons=("chronic-absence",))
            for item in pseudonyms
        ),
        offer="mentoring",
    )


def outbox(node: DistrictNode, kind: MessageType | None = None) -> list[dict[str, Any]]:
    """The payloads this node has queued, oldest first."""
    with node.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.created))
        envelopes = [Envelope.model_validate_json(row.envelope) for row in rows]
    return [
        {"type": envelope.type, **envelope.payload}
        for envelope in envelopes
        if kind is None or envelope.type is kind
    ]


def consented_family(
    node: DistrictNode,
    link: HubLink,
    student_id: str,
    *,
    categories: tuple[RecordCategory, ...] = tuple(RecordCategory),
    signed_on: date = date(2024, 9, 1),
    expires_on: date | None = date(2025, 8, 31),
) -> uuid.UUID:
    """District counselor Rosa refers a student, reaches the family, who sign."""
    referral = refer_student(
        node,
        actor=COUNSELOR_ROSA,
        student_id=student_id,
        source=ReferralSource.SCHOOL_STAFF,
        reasons=("chronic-absence",),
        offer="mentoring",
        now=at(signed_on, 9),
    )
    begin_outreach(
        node, actor=COUNSELOR_ROSA, referral_id=referral, now=at(signed_on, 10)
    )
    consent_id = record_decision(
        node,
        actor=COUNSELOR_ROSA,
        referral_id=referral,
        decision=ConsentOutcome.ACCEPTED,
        reason="family-signed",
        consent=draft(
            signed_on=signed_on, categories=categories, expires_on=expires_on
        ),
        now=at(signed_on, 11),
        link=link,
    )
    assert consent_id is not None
    return consent_id
