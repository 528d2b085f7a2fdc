"""The outbox: written with the change, numbered per subject, retried, dead-lettered."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from youthbridge.domain.errors import NotFound, Refused
from youthbridge.exchange.errors import PayloadInvalid, TransportError
from youthbridge.exchange.messages import Ack, AckStatus, Envelope, MessageType
from youthbridge.exchange.outbox import (
    RetryPolicy,
    deliver_pending,
    enqueue,
    list_undeliverable,
    requeue,
)
from youthbridge.exchange.parties import PartyDirectory
from youthbridge.exchange.signing import verify
from youthbridge.exchange.tables import OutboxMessage, OutboxStatus
from youthbridge.storage.base import utcnow

from .conftest import LAKESIDE, RIVERBEND, Node, progress


class RecordingTransport:
    """Acknowledges what it is sent, except while it is told to fail."""

    def __init__(self) -> None:
        self.sent: list[Envelope] = []
        self.failing: set[uuid.UUID] = set()

    def send(self, envelope: Envelope) -> Ack:
        if envelope.message_id in self.failing:
            raise TransportError("the hub is unreachable", code="transport:network")
        self.sent.append(envelope)
        return Ack(
            message_id=envelope.message_id,
            idempotency_key=envelope.idempotency_key,
            status=AckStatus.APPLIED,
        )


def _enqueue(
    hub: Node,
    *,
    subject: str | None = "P-7QK2M9",
    recipient: str = RIVERBEND,
    key: str | None = None,
    codes: tuple[str, ...] = ("engaged",),
) -> Envelope:
    with hub.factory.begin() as session:
        return enqueue(
            session,
            sender_key=hub.key,
            sender=hub.party_id,
            recipient=recipient,
            type=MessageType.PROGRESS_UPDATE,
            payload=progress(codes),
            subject=subject,
            idempotency_key=key,
        )


def _row(hub: Node, message_id: uuid.UUID) -> OutboxMessage:
    with hub.factory() as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        return row


def test_a_message_commits_with_the_change_that_caused_it(
    hub: Node, parties: PartyDirectory
) -> None:
    envelope = _enqueue(hub)

    stored = _row(hub, envelope.message_id)
    assert stored.status is OutboxStatus.PENDING
    assert verify(Envelope.model_validate_json(stored.envelope), parties).party_id == (
        hub.party_id
    )


def test_a_rolled_back_change_leaves_no_message(hub: Node) -> None:
    def change_that_fails() -> None:
        with hub.factory.begin() as session:
            enqueue(
                session,
                sender_key=hub.key,
                sender=hub.party_id,
                recipient=RIVERBEND,
                type=MessageType.PROGRESS_UPDATE,
                payload=progress(),
                subject="P-7QK2M9",
            )
            raise RuntimeError("the case change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    with hub.factory() as session:
        assert session.scalars(select(OutboxMessage)).all() == []


def test_sequences_count_per_recipient_and_subject(hub: Node) -> None:
    numbers = [
        _enqueue(hub).sequence,
        _enqueue(hub).sequence,
        _enqueue(hub, subject="P-BBBB22").sequence,
        _enqueue(hub, recipient=LAKESIDE).sequence,
        _enqueue(hub, subject=None).sequence,
        _enqueue(hub).sequence,
    ]

    assert numbers == [1, 2, 1, 1, 1, 3]


def test_enqueueing_again_with_the_same_key_returns_the_queued_message(
    hub: Node,
) -> None:
    first = _enqueue(hub, key="case:42:engaged")

    assert _enqueue(hub, key="case:42:engaged") == first


def test_a_key_reused_for_another_message_is_refused(hub: Node) -> None:
    _enqueue(hub, key="case:42:engaged")

    with pytest.raises(Refused) as refused:
        _enqueue(hub, key="case:42:engaged", codes=("enrolled",))

    assert refused.value.code == "message:idempotency-conflict"


def test_a_payload_of_another_type_is_refused(hub: Node) -> None:
    with pytest.raises(PayloadInvalid), hub.factory.begin() as session:
        enqueue(
            session,
            sender_key=hub.key,
            sender=hub.party_id,
            recipient=RIVERBEND,
            type=MessageType.CONSENT_NOTICE,
            payload=progress(),
        )


def test_a_failed_delivery_is_retried_after_a_growing_pause(hub: Node) -> None:
    transport = RecordingTransport()
    envelope = _enqueue(hub)
    transport.failing = {envelope.message_id}
    start = utcnow()

    first = deliver_pending(hub.factory, transport, now=start)
    early = deliver_pending(hub.factory, transport, now=start + timedelta(seconds=10))
    second = deliver_pending(hub.factory, transport, now=start + timedelta(seconds=31))

    assert first.retrying == second.retrying == [envelope.message_id]
    assert early.held == [envelope.message_id]
    row = _row(hub, envelope.message_id)
    assert row.attempts == 2
    assert row.next_attempt_at == start + timedelta(seconds=31 + 60)
    assert row.last_error == "transport:network: the hub is unreachable"

    transport.failing = set()
    later = start + timedelta(seconds=91)
    assert deliver_pending(hub.factory, transport, now=later).delivered == [
        envelope.message_id
    ]
    assert _row(hub, envelope.message_id).delivered_at == later
    assert transport.sent == [envelope]


def test_a_delivered_message_is_not_sent_again(hub: Node) -> None:
    transport = RecordingTransport()
    _enqueue(hub)

    deliver_pending(hub.factory, transport)
    deliver_pending(hub.factory, transport)

    assert len(transport.sent) == 1


def test_later_messages_of_a_subject_wait_behind_a_failing_one(hub: Node) -> None:
    transport = RecordingTransport()
    first, second = _enqueue(hub), _enqueue(hub)
    elsewhere = _enqueue(hub, subject="P-BBBB22")
    transport.failing = {first.message_id}

    report = deliver_pending(hub.factory, transport)

    assert report.retrying == [first.message_id]
    assert report.held == [second.message_id]
    assert report.delivered == [elsewhere.message_id]

    transport.failing = set()
    deliver_pending(hub.factory, transport, now=utcnow() + timedelta(minutes=1))
    assert [sent.sequence for sent in transport.sent] == [1, 1, 2]


def test_a_message_that_uses_up_its_attempts_is_dead_until_requeued(
    hub: Node,
) -> None:
    transport = RecordingTransport()
    policy = RetryPolicy(first_delay=timedelta(seconds=1), max_attempts=3)
    envelope = _enqueue(hub)
    transport.failing = {envelope.message_id}
    moment = utcnow()

    for _ in range(3):
        report = deliver_pending(hub.factory, transport, now=moment, policy=policy)
        moment += timedelta(hours=1)

    assert report.dead == [envelope.message_id]
    assert deliver_pending(hub.factory, transport, now=moment).delivered == []
    with hub.factory() as session:
        [dead] = list_undeliverable(session)
    assert (dead.message_id, dead.attempts) == (envelope.message_id, 3)

    transport.failing = set()
    with hub.factory.begin() as session:
        requeue(session, envelope.message_id, now=moment)
    assert deliver_pending(hub.factory, transport, now=moment).delivered == [
        envelope.message_id
    ]


def test_only_a_dead_message_can_be_requeued(hub: Node) -> None:
    envelope = _enqueue(hub)

    with pytest.raises(NotFound), hub.factory.begin() as session:
        requeue(session, envelope.message_id)


def test_an_ack_for_another_message_is_not_taken_as_delivery(hub: Node) -> None:
    class Confused(RecordingTransport):
        def send(self, envelope: Envelope) -> Ack:
            return Ack(
                message_id=uuid.uuid4(),
                idempotency_key="something else",
                status=AckStatus.APPLIED,
            )

    envelope = _enqueue(hub)

    report = deliver_pending(hub.factory, Confused())

    assert report.retrying == [envelope.message_id]
    assert _row(hub, envelope.message_id).last_error is not None


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (500, 3600)],
)
def test_the_pause_doubles_up_to_a_cap(attempts: int, seconds: int) -> None:
    assert RetryPolicy().delay_after(attempts) == timedelta(seconds=seconds)
