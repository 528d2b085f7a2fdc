"""Both transports carry the same scenarios: the nodes cannot tell which one ran.

The HTTP case runs a real uvicorn server on a local port, in front of the
receiving node's inbox; "down" means nothing listens on that port.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Protocol

import httpx
import pytest
from sqlalchemy import select

from youthbridge.exchange.errors import TransportError
from youthbridge.exchange.inbox import InboxReceiver
from youthbridge.exchange.messages import Ack, AckStatus, Envelope, MessageType
from youthbridge.exchange.outbox import deliver_pending, enqueue
from youthbridge.exchange.parties import PartyDirectory
from youthbridge.exchange.signing import wire_bytes
from youthbridge.exchange.tables import OutboxMessage, OutboxStatus
from youthbridge.exchange.transport import HttpTransport, InProcessTransport, Transport
from youthbridge.storage.base import utcnow

from .conftest import RIVERBEND, Node, progress, signed_progress
from .http_node import ServedNode


class Link(Protocol):
    """A transport to Riverbend, whose receiving end can be taken down."""

    @property
    def transport(self) -> Transport: ...

    def up(self) -> None: ...

    def down(self) -> None: ...


class InProcessLink:
    def __init__(self, receiver: InboxReceiver) -> None:
        self._receiver = receiver
        self._up = False
        self.transport = InProcessTransport()
        self.transport.register(RIVERBEND, self._receive)

    def _receive(self, envelope: Envelope) -> Ack:
        if not self._up:
            raise ConnectionRefusedError("the district node is down")
        return self._receiver(envelope)

    def up(self) -> None:
        self._up = True

    def down(self) -> None:
        self._up = False


class HttpLink:
    def __init__(self, served: ServedNode) -> None:
        self._served = served
        self.transport: HttpTransport = HttpTransport(served.base_url, timeout=5.0)

    def up(self) -> None:
        self._served.up()

    def down(self) -> None:
        self._served.down()


@pytest.fixture(params=["in-process", "http"])
def link(
    request: pytest.FixtureRequest, riverbend: Node, parties: PartyDirectory
) -> Iterator[Link]:
    """A link to Riverbend's inbox, down until the test brings it up."""
    receiver = InboxReceiver(RIVERBEND, riverbend.factory, parties, riverbend.apply)
    if request.param == "in-process":
        yield InProcessLink(receiver)
        return
    served = ServedNode(receiver)
    http = HttpLink(served)
    try:
        yield http
    finally:
        http.transport.close()
        served.close()


def _enqueue(hub: Node, codes: tuple[str, ...]) -> Envelope:
    with hub.factory.begin() as session:
        return enqueue(
            session,
            sender_key=hub.key,
            sender=hub.party_id,
            recipient=RIVERBEND,
            type=MessageType.PROGRESS_UPDATE,
            payload=progress(codes),
            subject="P-7QK2M9",
        )


def _statuses(hub: Node) -> list[OutboxStatus]:
    with hub.factory() as session:
        query = select(OutboxMessage.status).order_by(OutboxMessage.sequence)
        return list(session.scalars(query))


def test_messages_survive_the_receiver_being_down(
    link: Link, hub: Node, riverbend: Node
) -> None:
    first = _enqueue(hub, ("enrolled",))
    second = _enqueue(hub, ("engaged",))
    start = utcnow()

    while_down = deliver_pending(hub.factory, link.transport, now=start)
    assert while_down.retrying == [first.message_id]
    assert while_down.held == [second.message_id]
    assert riverbend.effects() == []

    link.up()
    too_soon = deliver_pending(hub.factory, link.transport, now=start)
    assert too_soon.delivered == []

    after_pause = start + timedelta(seconds=30)
    report = deliver_pending(hub.factory, link.transport, now=after_pause)
    assert report.delivered == [first.message_id, second.message_id]
    assert riverbend.effects() == [("P-7QK2M9", 1), ("P-7QK2M9", 2)]
    assert _statuses(hub) == [OutboxStatus.DELIVERED, OutboxStatus.DELIVERED]


def test_a_message_sent_twice_is_applied_once(
    link: Link, hub: Node, riverbend: Node
) -> None:
    link.up()
    envelope = signed_progress(hub, sequence=1)

    first = link.transport.send(envelope)
    again = link.transport.send(envelope)

    assert first == again
    assert first.status is AckStatus.APPLIED
    assert riverbend.effects() == [("P-7QK2M9", 1)]


def test_out_of_order_messages_are_applied_in_order(
    link: Link, hub: Node, riverbend: Node
) -> None:
    link.up()

    held = link.transport.send(signed_progress(hub, sequence=2))
    applied = link.transport.send(signed_progress(hub, sequence=1))

    assert (held.status, applied.status) == (AckStatus.WAITING, AckStatus.APPLIED)
    assert riverbend.effects() == [("P-7QK2M9", 1), ("P-7QK2M9", 2)]


def test_a_dead_letter_is_acknowledged_and_kept(
    link: Link, hub: Node, riverbend: Node
) -> None:
    link.up()
    riverbend.refusing = {1}

    ack = link.transport.send(signed_progress(hub, sequence=1))

    assert ack.status is AckStatus.DEAD
    assert riverbend.effects() == []


def test_a_tampered_message_is_a_transport_failure(
    link: Link, hub: Node, riverbend: Node
) -> None:
    link.up()
    wire = wire_bytes(signed_progress(hub, sequence=1))
    tampered = Envelope.model_validate_json(wire.replace(b"engaged", b"enrolled"))

    with pytest.raises(TransportError):
        link.transport.send(tampered)

    assert riverbend.effects() == []


def test_a_receiver_that_is_down_is_a_transport_failure(link: Link, hub: Node) -> None:
    with pytest.raises(TransportError):
        link.transport.send(signed_progress(hub, sequence=1))


def test_the_http_transport_names_the_refusal_code(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    receiver = InboxReceiver(RIVERBEND, riverbend.factory, parties, riverbend.apply)
    served = ServedNode(receiver)
    served.up()
    try:
        with HttpTransport(served.base_url, timeout=5.0) as transport:
            forged = signed_progress(hub, sequence=1, key=riverbend.key)
            with pytest.raises(TransportError, match=r"403 \(message:signature\)"):
                transport.send(forged)
    finally:
        served.close()


def test_the_http_transport_refuses_an_answer_that_is_not_an_ack(
    hub: Node,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"hello": "world"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    envelope = signed_progress(hub, sequence=1)
    with (
        HttpTransport("http://hub.invalid", client=client) as transport,
        pytest.raises(TransportError) as refused,
    ):
        transport.send(envelope)

    assert refused.value.code == "transport:bad-ack"


def test_the_in_process_transport_needs_a_registered_receiver(hub: Node) -> None:
    with pytest.raises(TransportError) as refused:
        InProcessTransport().send(signed_progress(hub, sequence=1))

    assert refused.value.code == "transport:no-route"


def test_an_ack_lost_on_the_way_back_neither_loses_nor_repeats(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    receiver = InboxReceiver(RIVERBEND, riverbend.factory, parties, riverbend.apply)
    lost = {"acks": 1}

    def forgetful(envelope: Envelope) -> Ack:
        ack = receiver(envelope)
        if lost["acks"]:
            lost["acks"] -= 1
            raise ConnectionResetError("the connection dropped before the answer")
        return ack

    transport = InProcessTransport()
    transport.register(RIVERBEND, forgetful)
    envelope = _enqueue(hub, ("engaged",))
    start = utcnow()

    assert deliver_pending(hub.factory, transport, now=start).retrying == [
        envelope.message_id
    ]
    later = start + timedelta(minutes=1)
    assert deliver_pending(hub.factory, transport, now=later).delivered == [
        envelope.message_id
    ]
    assert riverbend.effects() == [("P-7QK2M9", 1)]
