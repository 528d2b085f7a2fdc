"""The inbox: every received message is checked, applied once, and in order.

A message is refused at the door (not recorded) when its signature, sender, route
or payload is wrong: such a message stays in its sender's outbox, so that no
node keeps content it should never have received. A message that passes is
recorded and applied in one transaction; one whose subject is still missing an
earlier message waits for it; one that its `apply` rejects is kept as a dead
letter until it is replayed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.domain.errors import NotFound, YouthbridgeError
from youthbridge.exchange.errors import (
    ContentRefused,
    RouteRefused,
    SequenceRefused,
)
from youthbridge.exchange.messages import Ack, AckStatus, Envelope, parse_payload
from youthbridge.exchange.parties import PartyDirectory
from youthbridge.exchange.routes import check_route
from youthbridge.exchange.signing import verify, wire_bytes
from youthbridge.exchange.tables import InboxMessage, InboxStatus
from youthbridge.storage.base import utcnow

log = structlog.get_logger(__name__)

Apply = Callable[[Session, Envelope], None]

# Both an applied and a dead message have arrived: a later message of the same
# subject need not wait for a dead one, which is kept for replay instead.
_ARRIVED = (InboxStatus.APPLIED, InboxStatus.DEAD)


@dataclass(frozen=True)
class DeadLetter:
    """A received message whose `apply` refused it; kept until it is replayed."""

    message_id: uuid.UUID
    sender: str
    type: str
    subject: str | None
    sequence: int
    received: datetime
    error: str | None


def receive(
    factory: sessionmaker[Session],
    envelope: Envelope,
    parties: PartyDirectory,
    apply: Apply,
    *,
    recipient: str | None = None,
) -> Ack:
    """Check, record and apply one received message; return its acknowledgement.

    `recipient` is the receiving node's own party id; a node should always pass
    it, so that a message addressed to another party is refused here.
    """
    _admit(envelope, parties, recipient)

    status = _take(factory, envelope, apply)
    if envelope.subject is not None:
        _drain(factory, envelope.sender, envelope.subject, apply)

    log.info(
        "exchange.inbox.received",
        message_id=str(envelope.message_id),
        sender=envelope.sender,
        type=str(envelope.type),
        subject=envelope.subject,
        sequence=envelope.sequence,
        status=str(status),
    )
    return Ack(
        message_id=envelope.message_id,
        idempotency_key=envelope.idempotency_key,
        status=status,
    )


def _admit(envelope: Envelope, parties: PartyDirectory, recipient: str | None) -> None:
    sender = verify(envelope, parties)
    if recipient is not None and envelope.recipient != recipient:
        raise RouteRefused(
            f"message {envelope.message_id} is addressed to `{envelope.recipient}`"
            f" and was delivered to `{recipient}`",
            code="message:route",
        )
    payload = parse_payload(envelope.type, envelope.payload)
    check_route(envelope, payload, sender, parties.find(envelope.recipient))


def _take(
    factory: sessionmaker[Session], envelope: Envelope, apply: Apply
) -> AckStatus:
    with factory.begin() as session:
        known = _find(session, envelope.sender, envelope.idempotency_key)
        if known is not None:
            return AckStatus(known.status.value)
        if not _is_next(session, envelope):
            session.add(_inbox_row(envelope, InboxStatus.WAITING))
            return AckStatus.WAITING
    return _apply_arrival(factory, envelope, apply)


def _find(session: Session, sender: str, key: str) -> InboxMessage | None:
    return session.scalar(
        select(InboxMessage).where(
            InboxMessage.sender == sender, InboxMessage.idempotency_key == key
        )
    )


def _is_next(session: Session, envelope: Envelope) -> bool:
    # Messages without a subject are independent of one another and are applied
    # as they come; the order that matters is within one student's messages.
    if envelope.subject is None:
        return True
    expected = _expected_sequence(session, envelope.sender, envelope.subject)
    taken = session.scalar(
        select(func.count())
        .select_from(InboxMessage)
        .where(
            InboxMessage.sender == envelope.sender,
            InboxMessage.subject == envelope.subject,
            InboxMessage.sequence == envelope.sequence,
        )
    )
    if envelope.sequence < expected or taken:
        raise SequenceRefused(
            f"message {envelope.message_id} reuses sequence {envelope.sequence}"
            f" of its subject, already taken by another message from"
            f" `{envelope.sender}`",
            code="message:sequence",
        )
    return envelope.sequence == expected


def _expected_sequence(session: Session, sender: str, subject: str) -> int:
    highest = session.scalar(
        select(func.max(InboxMessage.sequence)).where(
            InboxMessage.sender == sender,
            InboxMessage.subject == subject,
            InboxMessage.status.in_(_ARRIVED),
        )
    )
    return (highest or 0) + 1


def _inbox_row(envelope: Envelope, status: InboxStatus) -> InboxMessage:
    return InboxMessage(
        id=envelope.message_id,
        sender=envelope.sender,
        idempotency_key=envelope.idempotency_key,
        subject=envelope.subject,
        sequence=envelope.sequence,
        type=str(envelope.type),
        envelope=wire_bytes(envelope).decode("utf-8"),
        status=status,
        received=utcnow(),
    )


def _apply_arrival(
    factory: sessionmaker[Session], envelope: Envelope, apply: Apply
) -> AckStatus:
    # The row and the change that `apply` makes commit together or not at all.
    # When `apply` refuses the message, that transaction is rolled back whole and
    # the message is recorded, alone, as a dead letter.
    try:
        with factory.begin() as session:
            row = _inbox_row(envelope, InboxStatus.APPLIED)
            row.applied_at = utcnow()
            session.add(row)
            session.flush()
            apply(session, envelope)
    except YouthbridgeError as error:
        with factory.begin() as session:
            row = _inbox_row(envelope, InboxStatus.DEAD)
            row.error = _describe(error)
            session.add(row)
            if isinstance(error, ContentRefused):
                _withhold(row)
        _log_dead(envelope.message_id, error)
        return AckStatus.DEAD
    return AckStatus.APPLIED


def _drain(
    factory: sessionmaker[Session], sender: str, subject: str, apply: Apply
) -> None:
    """Apply the waiting messages of a subject whose turn has come, in order."""
    while True:
        with factory() as session:
            expected = _expected_sequence(session, sender, subject)
            waiting = session.scalar(
                select(InboxMessage.id).where(
                    InboxMessage.sender == sender,
                    InboxMessage.subject == subject,
                    InboxMessage.sequence == expected,
                    InboxMessage.status == InboxStatus.WAITING,
                )
            )
        if waiting is None:
            return
        _apply_stored(factory, waiting, apply, InboxStatus.WAITING)


def _apply_stored(
    factory: sessionmaker[Session],
    message_id: uuid.UUID,
    apply: Apply,
    current: InboxStatus,
) -> AckStatus:
    try:
        with factory.begin() as session:
            row = session.get(InboxMessage, message_id, with_for_update=True)
            if row is None or row.status is not current:
                # Another receiver got to it first; its outcome stands.
                return AckStatus(row.status.value) if row else AckStatus.DEAD
            row.status = InboxStatus.APPLIED
            row.applied_at = utcnow()
            row.error = None
            session.flush()
            apply(session, Envelope.model_validate_json(row.envelope))
    except YouthbridgeError as error:
        _mark_dead(factory, message_id, error)
        return AckStatus.DEAD
    return AckStatus.APPLIED


def _mark_dead(
    factory: sessionmaker[Session], message_id: uuid.UUID, error: YouthbridgeError
) -> None:
    with factory.begin() as session:
        row = session.get(InboxMessage, message_id, with_for_update=True)
        if row is not None:
            row.status = InboxStatus.DEAD
            row.applied_at = None
            row.error = _describe(error)
            if isinstance(error, ContentRefused):
                _withhold(row)
    _log_dead(message_id, error)


def withhold_payload(session: Session, message_id: uuid.UUID) -> None:
    """Drop a recorded message's payload, keeping the rest of its envelope.

    For content that the node keeps elsewhere under its own protection (sealed
    records) or may not keep at all. The row can no longer be replayed: its
    signature no longer matches, which is intended.
    """
    row = session.get(InboxMessage, message_id, with_for_update=True)
    if row is not None:
        _withhold(row)


def _withhold(row: InboxMessage) -> None:
    envelope = json.loads(row.envelope)
    envelope["payload"] = {"withheld": True}
    row.envelope = json.dumps(envelope, sort_keys=True, separators=(",", ":"))


def _describe(error: YouthbridgeError) -> str:
    return f"{error.code}: {error.message}"[:1000]


def _log_dead(message_id: uuid.UUID, error: YouthbridgeError) -> None:
    # The code only: an error's message is for the operator's screen and may
    # quote what the message said.
    log.warning(
        "exchange.inbox.dead_letter", message_id=str(message_id), error_code=error.code
    )


def list_dead_letters(session: Session) -> list[DeadLetter]:
    """Received messages that were refused when applied, oldest first."""
    query = (
        select(InboxMessage)
        .where(InboxMessage.status == InboxStatus.DEAD)
        .order_by(InboxMessage.received)
    )
    return [
        DeadLetter(
            message_id=row.id,
            sender=row.sender,
            type=row.type,
            subject=row.subject,
            sequence=row.sequence,
            received=row.received,
            error=row.error,
        )
        for row in session.scalars(query)
    ]


def replay(factory: sessionmaker[Session], message_id: uuid.UUID, apply: Apply) -> Ack:
    """Apply a dead letter again, once whatever refused it has been put right."""
    with factory() as session:
        row = session.get(InboxMessage, message_id)
        if row is None or row.status is not InboxStatus.DEAD:
            raise NotFound(
                f"there is no dead letter {message_id} in the inbox",
                code="message:not-found",
            )
        key = row.idempotency_key

    status = _apply_stored(factory, message_id, apply, InboxStatus.DEAD)
    log.info("exchange.inbox.replayed", message_id=str(message_id), status=str(status))
    return Ack(message_id=message_id, idempotency_key=key, status=status)


@dataclass(frozen=True)
class InboxReceiver:
    """A node's receiving end, as a transport or an HTTP endpoint calls it."""

    party_id: str
    factory: sessionmaker[Session]
    parties: PartyDirectory
    apply: Apply

    def __call__(self, envelope: Envelope) -> Ack:
        return receive(
            self.factory, envelope, self.parties, self.apply, recipient=self.party_id
        )
