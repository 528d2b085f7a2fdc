"""The inbox applies each message once, in order per subject, and keeps dead letters."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from youthbridge.domain.errors import NotFound
from youthbridge.exchange.errors import (
    PayloadInvalid,
    RouteRefused,
    SequenceRefused,
    SignatureInvalid,
)
from youthbridge.exchange.inbox import list_dead_letters, receive, replay
from youthbridge.exchange.messages import AckStatus, Envelope
from youthbridge.exchange.parties import PartyDirectory
from youthbridge.exchange.signing import sign, wire_bytes
from youthbridge.exchange.tables import InboxMessage

from .conftest import LAKESIDE, RIVERBEND, Node, signed_progress


def _receive(node: Node, envelope: Envelope, parties: PartyDirectory) -> AckStatus:
    ack = receive(node.factory, envelope, parties, node.apply, recipient=RIVERBEND)
    assert ack.message_id == envelope.message_id
    return ack.status


def _inbox_count(node: Node) -> int:
    with node.factory() as session:
        return session.scalar(select(func.count()).select_from(InboxMessage)) or 0


def test_a_message_received_twice_is_applied_once(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    envelope = signed_progress(hub, sequence=1)

    first = receive(riverbend.factory, envelope, parties, riverbend.apply)
    again = receive(riverbend.factory, envelope, parties, riverbend.apply)

    assert first == again
    assert first.status is AckStatus.APPLIED
    assert riverbend.effects() == [("P-7QK2M9", 1)]


def test_a_later_message_waits_for_the_earlier_one(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    first, second = signed_progress(hub, sequence=1), signed_progress(hub, sequence=2)

    assert _receive(riverbend, second, parties) is AckStatus.WAITING
    assert riverbend.effects() == []

    assert _receive(riverbend, first, parties) is AckStatus.APPLIED
    assert riverbend.effects() == [("P-7QK2M9", 1), ("P-7QK2M9", 2)]


def test_a_gap_holds_everything_behind_it_until_it_fills(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    envelopes = {n: signed_progress(hub, sequence=n) for n in (1, 2, 3, 4)}

    for n in (4, 2, 3):
        assert _receive(riverbend, envelopes[n], parties) is AckStatus.WAITING
    _receive(riverbend, envelopes[1], parties)

    assert [sequence for _, sequence in riverbend.effects()] == [1, 2, 3, 4]


def test_subjects_are_ordered_independently(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    waiting = signed_progress(hub, sequence=2, subject="P-AAAA11")
    other = signed_progress(hub, sequence=1, subject="P-BBBB22")

    _receive(riverbend, waiting, parties)
    _receive(riverbend, other, parties)

    assert riverbend.effects() == [("P-BBBB22", 1)]


def test_messages_without_a_subject_are_not_held(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    envelope = signed_progress(hub, sequence=5, subject=None)

    assert _receive(riverbend, envelope, parties) is AckStatus.APPLIED


def test_a_reused_sequence_is_refused(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    _receive(riverbend, signed_progress(hub, sequence=1), parties)

    with pytest.raises(SequenceRefused) as refused:
        _receive(riverbend, signed_progress(hub, sequence=1), parties)

    assert refused.value.code == "message:sequence"
    assert _inbox_count(riverbend) == 1


def test_a_refused_apply_is_kept_as_a_dead_letter_and_replayed(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    riverbend.refusing = {1}
    envelope = signed_progress(hub, sequence=1)

    assert _receive(riverbend, envelope, parties) is AckStatus.DEAD
    assert riverbend.effects() == []
    with riverbend.factory() as session:
        [dead] = list_dead_letters(session)
    assert dead.message_id == envelope.message_id
    assert dead.error == "case:unknown: the case is not known on this node"

    riverbend.refusing = set()
    assert replay(riverbend.factory, dead.message_id, riverbend.apply).status is (
        AckStatus.APPLIED
    )
    assert riverbend.effects() == [("P-7QK2M9", 1)]
    with riverbend.factory() as session:
        assert list_dead_letters(session) == []


def test_a_dead_letter_does_not_hold_later_messages_of_its_subject(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    riverbend.refusing = {1}

    _receive(riverbend, signed_progress(hub, sequence=2), parties)
    _receive(riverbend, signed_progress(hub, sequence=1), parties)

    assert riverbend.effects() == [("P-7QK2M9", 2)]


def test_a_replay_that_is_refused_again_stays_dead(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    riverbend.refusing = {1}
    envelope = signed_progress(hub, sequence=1)
    _receive(riverbend, envelope, parties)

    ack = replay(riverbend.factory, envelope.message_id, riverbend.apply)

    assert ack.status is AckStatus.DEAD
    with riverbend.factory() as session:
        assert len(list_dead_letters(session)) == 1


def test_only_a_dead_letter_can_be_replayed(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    envelope = signed_progress(hub, sequence=1)
    _receive(riverbend, envelope, parties)

    with pytest.raises(NotFound, match="no dead letter"):
        replay(riverbend.factory, envelope.message_id, riverbend.apply)
    with pytest.raises(NotFound):
        replay(riverbend.factory, uuid.uuid4(), riverbend.apply)


def test_a_failure_that_is_not_a_domain_error_leaves_nothing_behind(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    def broken(session: Session, envelope: Envelope) -> None:
        riverbend.apply(session, envelope)
        raise RuntimeError("the disk is full")

    envelope = signed_progress(hub, sequence=1)

    with pytest.raises(RuntimeError):
        receive(riverbend.factory, envelope, parties, broken)

    assert riverbend.effects() == []
    assert _inbox_count(riverbend) == 0
    assert _receive(riverbend, envelope, parties) is AckStatus.APPLIED


def test_a_progress_update_with_free_text_is_refused_and_not_kept(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    honest = signed_progress(hub, sequence=1)
    payload = {**honest.payload, "codes": ["engaged", "dad lost his job"]}
    envelope = sign(honest.model_copy(update={"payload": payload}), hub.key)

    with pytest.raises(PayloadInvalid) as refused:
        _receive(riverbend, envelope, parties)

    assert refused.value.code == "message:payload"
    assert _inbox_count(riverbend) == 0


def test_a_tampered_message_is_refused_and_not_kept(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    wire = wire_bytes(signed_progress(hub, sequence=1))
    tampered = Envelope.model_validate_json(wire.replace(b"engaged", b"enrolled"))

    with pytest.raises(SignatureInvalid):
        _receive(riverbend, tampered, parties)

    assert _inbox_count(riverbend) == 0


def test_a_message_for_another_party_is_refused(
    hub: Node, riverbend: Node, parties: PartyDirectory
) -> None:
    envelope = signed_progress(hub, sequence=1, recipient=LAKESIDE)

    with pytest.raises(RouteRefused, match="delivered to `district:riverbend`"):
        _receive(riverbend, envelope, parties)


def test_a_district_may_not_send_a_progress_update(
    make_node: Callable[[str], Node], riverbend: Node, parties: PartyDirectory
) -> None:
    lakeside = make_node(LAKESIDE)
    envelope = signed_progress(lakeside, sequence=1)

    with pytest.raises(RouteRefused, match="a district may not send"):
        _receive(riverbend, envelope, parties)
