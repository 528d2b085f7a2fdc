"""The outbox: a message is written with the change that caused it, then delivered.

`enqueue` adds a signed envelope to the caller's own transaction, so that the
message exists if and only if the change commits. `deliver_pending` later hands
each due message to a transport and keeps trying, with growing pauses, until the
recipient acknowledges it or the message has used up its attempts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.domain.errors import NotFound, Refused
from youthbridge.exchange.errors import PayloadInvalid, TransportError
from youthbridge.exchange.messages import Ack, Envelope, MessageType, Payload
from youthbridge.exchange.routes import ROUTES
from youthbridge.exchange.signing import sign, wire_bytes
from youthbridge.exchange.tables import OutboxMessage, OutboxStatus, OutboxStream
from youthbridge.exchange.transport import Transport
from youthbridge.storage.base import utcnow

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait after each failed attempt, and when to stop trying."""

    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 12

    def delay_after(self, attempts: int) -> timedelta:
        """The pause after `attempts` failures: doubling each time, up to a cap."""
        # The exponent is bounded so that a long-failing message cannot overflow
        # the arithmetic before the cap applies.
        doubling = 1 << min(max(attempts - 1, 0), 30)
        return min(self.first_delay * doubling, self.max_delay)


@dataclass
class DeliveryReport:
    """What one delivery run did, by message id."""

    delivered: list[uuid.UUID] = field(default_factory=list)
    retrying: list[uuid.UUID] = field(default_factory=list)
    dead: list[uuid.UUID] = field(default_factory=list)
    held: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class Undeliverable:
    """A message that used up its attempts; it stays until someone requeues it."""

    message_id: uuid.UUID
    recipient: str
    type: str
    subject: str | None
    sequence: int
    attempts: int
    last_error: str | None
    created: datetime


def enqueue(
    session: Session,
    *,
    sender_key: Ed25519PrivateKey,
    sender: str,
    recipient: str,
    type: MessageType,
    payload: Payload,
    subject: str | None = None,
    idempotency_key: str | None = None,
) -> Envelope:
    """Sign a message and add it to the caller's transaction, to go out on commit.

    Enqueueing again with the same idempotency key returns the message already
    queued, so that a retried operation never sends its message twice.
    """
    _check_payload(type, payload)
    key = idempotency_key or str(uuid.uuid4())
    existing = session.scalar(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
    )
    if existing is not None:
        return _same_message(existing, recipient, type, subject, payload)

    envelope = Envelope(
        message_id=uuid.uuid4(),
        type=type,
        sender=sender,
        recipient=recipient,
        idempotency_key=key,
        created_at=utcnow(),
        subject=subject,
        sequence=_next_sequence(session, sender, recipient, subject),
        payload=payload.model_dump(mode="json"),
    )
    envelope = sign(envelope, sender_key)

    session.add(_outbox_row(envelope))
    log.info(
        "exchange.outbox.enqueued",
        message_id=str(envelope.message_id),
        type=str(type),
        recipient=recipient,
        sequence=envelope.sequence,
    )
    return envelope


def _check_payload(message_type: MessageType, payload: Payload) -> None:
    if message_type not in ROUTES:
        raise PayloadInvalid(
            f"`{message_type}` is not a message that is sent through the exchange",
            code="message:payload",
        )
    if payload.message_type is not message_type:
        raise PayloadInvalid(
            f"a `{payload.message_type}` payload cannot be sent as `{message_type}`",
            code="message:payload",
        )


def _same_message(
    existing: OutboxMessage,
    recipient: str,
    message_type: MessageType,
    subject: str | None,
    payload: Payload,
) -> Envelope:
    envelope = Envelope.model_validate_json(existing.envelope)
    queued = (envelope.recipient, envelope.type, envelope.subject, envelope.payload)
    asked = (recipient, message_type, subject, payload.model_dump(mode="json"))
    if queued != asked:
        raise Refused(
            f"the idempotency key `{existing.idempotency_key}` is already used by a"
            " different message; give each distinct message its own key",
            code="message:idempotency-conflict",
        )
    return envelope


def _next_sequence(
    session: Session, sender: str, recipient: str, subject: str | None
) -> int:
    # The stream row is locked until the caller commits, so that concurrent
    # enqueues for one subject are numbered one after the other. Two first
    # messages of a new stream racing both insert it: one fails on the primary
    # key and its transaction is retried by its caller, never misnumbered.
    stream = session.get(
        OutboxStream, (sender, recipient, subject or ""), with_for_update=True
    )
    if stream is None:
        stream = OutboxStream(
            sender=sender,
            recipient=recipient,
            subject_key=subject or "",
            last_sequence=0,
        )
        session.add(stream)
    stream.last_sequence += 1
    return stream.last_sequence


def _outbox_row(envelope: Envelope) -> OutboxMessage:
    return OutboxMessage(
        id=envelope.message_id,
        sender=envelope.sender,
        recipient=envelope.recipient,
        type=str(envelope.type),
        idempotency_key=envelope.idempotency_key,
        subject=envelope.subject,
        sequence=envelope.sequence,
        envelope=wire_bytes(envelope).decode("utf-8"),
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=envelope.created_at,
        created=envelope.created_at,
    )


@dataclass(frozen=True)
class _Queued:
    message_id: uuid.UUID
    stream: tuple[str, str, str]
    next_attempt_at: datetime
    envelope: str


def deliver_pending(
    factory: sessionmaker[Session],
    transport: Transport,
    now: datetime | None = None,
    *,
    policy: RetryPolicy | None = None,
    limit: int = 1000,
) -> DeliveryReport:
    """Send every due message, in sequence order within each recipient and subject.

    A message whose earlier sibling is not yet delivered waits for it, so that a
    recipient sees one subject's messages in the order they were written. No
    transaction is held open while a message is on its way: a crash between the
    send and the update sends it again, and the receiver's idempotency key makes
    that harmless.
    """
    moment = now or utcnow()
    rules = policy or RetryPolicy()
    report = DeliveryReport()
    blocked: set[tuple[str, str, str]] = set()

    for item in _pending(factory, limit):
        if item.stream in blocked or item.next_attempt_at > moment:
            blocked.add(item.stream)
            report.held.append(item.message_id)
            continue
        if not _deliver_one(factory, transport, item, moment, rules, report):
            blocked.add(item.stream)
    return report


def _pending(factory: sessionmaker[Session], limit: int) -> list[_Queued]:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(
            OutboxMessage.sender,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.sequence,
        )
        .limit(limit)
    )
    with factory() as session:
        return [
            _Queued(
                message_id=row.id,
                stream=(row.sender, row.recipient, row.subject or ""),
                next_attempt_at=row.next_attempt_at,
                envelope=row.envelope,
            )
            for row in session.scalars(query)
        ]


def _deliver_one(
    factory: sessionmaker[Session],
    transport: Transport,
    item: _Queued,
    moment: datetime,
    policy: RetryPolicy,
    report: DeliveryReport,
) -> bool:
    envelope = Envelope.model_validate_json(item.envelope)
    try:
        _check_ack(transport.send(envelope), envelope)
    except TransportError as error:
        dead = _record_failure(factory, item.message_id, error, moment, policy)
        (report.dead if dead else report.retrying).append(item.message_id)
        return False

    _record_delivery(factory, item.message_id, moment)
    report.delivered.append(item.message_id)
    return True


def _check_ack(ack: Ack, envelope: Envelope) -> None:
    if ack.idempotency_key != envelope.idempotency_key:
        raise TransportError(
            f"the acknowledgement for message {envelope.message_id} names another"
            " message; it is not taken as delivered",
            code="transport:ack-mismatch",
        )


def _record_delivery(
    factory: sessionmaker[Session], message_id: uuid.UUID, moment: datetime
) -> None:
    with factory.begin() as session:
        row = session.get(OutboxMessage, message_id, with_for_update=True)
        if row is None:
            return
        row.status = OutboxStatus.DELIVERED
        row.attempts += 1
        row.delivered_at = moment
    log.info("exchange.outbox.delivered", message_id=str(message_id))


def _record_failure(
    factory: sessionmaker[Session],
    message_id: uuid.UUID,
    error: TransportError,
    moment: datetime,
    policy: RetryPolicy,
) -> bool:
    with factory.begin() as session:
        row = session.get(OutboxMessage, message_id, with_for_update=True)
        if row is None or row.status is not OutboxStatus.PENDING:
            return False
        row.attempts += 1
        row.last_error = f"{error.code}: {error.message}"[:500]
        if row.attempts >= policy.max_attempts:
            row.status = OutboxStatus.DEAD
        else:
            row.next_attempt_at = moment + policy.delay_after(row.attempts)
        dead = row.status is OutboxStatus.DEAD
    log.warning(
        "exchange.outbox.dead" if dead else "exchange.outbox.retrying",
        message_id=str(message_id),
        error_code=error.code,
    )
    return dead


def list_undeliverable(session: Session) -> list[Undeliverable]:
    """Messages that used up their attempts, oldest first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.DEAD)
        .order_by(OutboxMessage.created)
    )
    return [
        Undeliverable(
            message_id=row.id,
            recipient=row.recipient,
            type=row.type,
            subject=row.subject,
            sequence=row.sequence,
            attempts=row.attempts,
            last_error=row.last_error,
            created=row.created,
        )
        for row in session.scalars(query)
    ]


def requeue(
    session: Session, message_id: uuid.UUID, now: datetime | None = None
) -> None:
    """Give an undeliverable message a fresh set of attempts, starting now."""
    row = session.get(OutboxMessage, message_id, with_for_update=True)
    if row is None or row.status is not OutboxStatus.DEAD:
        raise NotFound(
            f"there is no undeliverable outbox message {message_id}",
            code="message:not-found",
        )
    row.status = OutboxStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now or utcnow()
    log.info("exchange.outbox.requeued", message_id=str(message_id))
