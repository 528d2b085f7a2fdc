"""Signatures: a changed byte, an unknown sender or a revoked key is refused."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from youthbridge.domain.errors import ConfigError, Refused
from youthbridge.exchange.errors import PartyRevoked, SignatureInvalid, UnknownParty
from youthbridge.exchange.messages import Envelope
from youthbridge.exchange.parties import (
    PartyDirectory,
    PartyKind,
    directory_from_mappings,
)
from youthbridge.exchange.signing import (
    canonical_bytes,
    generate_key,
    load_private_key,
    public_key_text,
    save_private_key,
    verify,
    wire_bytes,
)

from .conftest import HUB, RIVERBEND, Node, signed_progress


def test_a_signed_envelope_verifies(hub: Node, parties: PartyDirectory) -> None:
    envelope = signed_progress(hub, sequence=1)

    assert verify(envelope, parties).party_id == HUB


def test_the_canonical_form_is_sorted_compact_json_without_the_signature(
    hub: Node,
) -> None:
    envelope = signed_progress(hub, sequence=1)

    text = canonical_bytes(envelope).decode("utf-8")

    assert "signature" not in json.loads(text)
    assert ", " not in text
    assert ": " not in text
    assert list(json.loads(text)) == sorted(json.loads(text))
    assert json.loads(text)["created_at"].endswith("Z")


def test_changing_one_byte_of_the_payload_is_detected(
    hub: Node, parties: PartyDirectory
) -> None:
    wire = wire_bytes(signed_progress(hub, sequence=1))
    tampered = wire.replace(b'"as_of":"2025-03-14"', b'"as_of":"2025-03-15"')
    assert len(tampered) == len(wire)
    assert tampered != wire

    with pytest.raises(SignatureInvalid) as refused:
        verify(Envelope.model_validate_json(tampered), parties)

    assert refused.value.code == "message:signature"
    assert isinstance(refused.value, Refused)
    assert "altered on the way or signed with another key" in str(refused.value)


def test_changing_the_sequence_is_detected(hub: Node, parties: PartyDirectory) -> None:
    envelope = signed_progress(hub, sequence=1).model_copy(update={"sequence": 2})

    with pytest.raises(SignatureInvalid):
        verify(envelope, parties)


def test_a_key_other_than_the_listed_one_is_refused(
    hub: Node, parties: PartyDirectory
) -> None:
    envelope = signed_progress(hub, sequence=1, key=generate_key())

    with pytest.raises(SignatureInvalid, match="does not match its signature"):
        verify(envelope, parties)


def test_a_signature_that_is_not_base64_is_refused(
    hub: Node, parties: PartyDirectory
) -> None:
    envelope = signed_progress(hub, sequence=1).model_copy(
        update={"signature": "not base64!"}
    )

    with pytest.raises(SignatureInvalid):
        verify(envelope, parties)


def test_an_unknown_sender_is_refused(hub: Node, parties: PartyDirectory) -> None:
    envelope = signed_progress(hub, sequence=1).model_copy(
        update={"sender": "hub:elsewhere"}
    )

    with pytest.raises(UnknownParty) as refused:
        verify(envelope, parties)

    assert refused.value.code == "message:unknown-party"
    assert "`hub:elsewhere` is not listed in the agreement" in str(refused.value)


def test_an_unknown_recipient_is_refused(hub: Node, parties: PartyDirectory) -> None:
    envelope = signed_progress(hub, sequence=1, recipient="district:nowhere")

    with pytest.raises(UnknownParty, match="`district:nowhere`"):
        verify(envelope, parties)


def test_a_revoked_key_is_refused(hub: Node, parties: PartyDirectory) -> None:
    revoked = PartyDirectory(
        [replace(parties.find(HUB), revoked=True), parties.find(RIVERBEND)]
    )

    with pytest.raises(PartyRevoked) as refused:
        verify(signed_progress(hub, sequence=1), revoked)

    assert refused.value.code == "message:revoked-key"


def test_a_saved_key_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    key = generate_key()
    path = tmp_path / "node.key"

    save_private_key(key, path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_key_text(load_private_key(path)) == public_key_text(key)


def test_saving_never_replaces_an_existing_key(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    save_private_key(generate_key(), path)

    with pytest.raises(ConfigError, match="a key file already exists"):
        save_private_key(generate_key(), path)


def test_a_key_file_open_to_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    save_private_key(generate_key(), path)
    path.chmod(0o644)

    with pytest.raises(ConfigError, match="chmod 600") as refused:
        load_private_key(path)

    assert refused.value.code == "key:permissions"


def test_a_file_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    path.write_text("not a key\n", encoding="utf-8")
    path.chmod(0o600)

    with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
        load_private_key(path)


def test_the_agreement_parties_are_read_with_every_problem_at_once() -> None:
    good = public_key_text(generate_key())
    entries = [
        {"party_id": HUB, "kind": "hub", "public_key": good},
        {"party_id": RIVERBEND, "kind": "district", "public_key": good},
        {"party_id": "district:x", "kind": "district", "public_key": "AAAA"},
    ]

    with pytest.raises(ConfigError) as refused:
        directory_from_mappings(entries, source="agreement.toml")

    columns = [problem.column for problem in refused.value.problems]
    assert columns == ["parties[2]", "parties[3]"]


def test_a_directory_is_read_from_the_agreement() -> None:
    entries = [
        {
            "party_id": RIVERBEND,
            "kind": "district",
            "district_code": "RVB",
            "public_key": public_key_text(generate_key()),
            "revoked": True,
        },
    ]

    party = directory_from_mappings(entries).find(RIVERBEND)

    assert (party.kind, party.district_code, party.revoked) == (
        PartyKind.DISTRICT,
        "RVB",
        True,
    )
