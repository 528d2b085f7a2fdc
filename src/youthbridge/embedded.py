"""The embedded default: a hub and its districts in one data folder, one process.

Each node keeps its own database and its own identity key; they talk only through
signed messages, carried by the in-process transport. A real deployment runs the
same nodes as separate services and the same messages over HTTPS. This module
sits above both sides of the boundary; nothing under district/ or hub/ sees the
other side.
"""

from __future__ import annotations

import base64
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from youthbridge.district.inbox import district_dispatch
from youthbridge.district.node import DistrictNode, open_district
from youthbridge.district.release import PreparedRelease, prepare_release
from youthbridge.domain.agreement import Agreement
from youthbridge.domain.schoolyear import SchoolYear
from youthbridge.exchange.inbox import InboxReceiver
from youthbridge.exchange.messages import AckStatus, Envelope, MessageType
from youthbridge.exchange.outbox import deliver_pending, enqueue
from youthbridge.exchange.parties import Party, PartyDirectory, PartyKind
from youthbridge.exchange.signing import (
    generate_key,
    load_private_key,
    public_key_text,
    save_private_key,
)
from youthbridge.exchange.tables import InboxMessage
from youthbridge.exchange.transport import InProcessTransport
from youthbridge.hub.inbox import dispatch, hub_inbox_handlers
from youthbridge.hub.node import KEY_STORE_FOLDER, HubNode, open_hub
from youthbridge.security.keys import (
    MASTER_KEY_FILE_VARIABLE,
    MASTER_KEY_VARIABLE,
    FileSecretStore,
    load_master_key,
)
from youthbridge.security.vault import Vault

HUB_PARTY = "hub"
PARTIES_FILE = "parties.toml"
IDENTITY_FILE = "identity.key"
MASTER_KEY_FILE = "master.key"


def district_party(code: str) -> str:
    return f"district:{code.lower()}"


@dataclass
class Region:
    """The nodes of one data folder, and the channel between them."""

    root: Path
    hub: HubNode
    districts: dict[str, DistrictNode]
    keys: dict[str, Ed25519PrivateKey]
    parties: PartyDirectory
    transport: InProcessTransport = field(default_factory=InProcessTransport)

    def deliver(self) -> None:
        """Send every node's due messages; each applies what it receives."""
        deliver_pending(self.hub.sessions, self.transport)
        for node in self.districts.values():
            deliver_pending(node.sessions, self.transport)

    def close(self) -> None:
        self.hub.close()
        for node in self.districts.values():
            node.close()


def open_region(
    root: Path,
    district_codes: list[str],
    *,
    agreement: Agreement | None = None,
    database_urls: dict[str, str] | None = None,
) -> Region:
    """Open the hub and these districts, listing each in the agreement's parties."""
    urls = database_urls or {}
    terms = agreement or Agreement()
    hub = open_hub(root, database_url=urls.get(HUB_PARTY), agreement=terms)
    districts = {
        code: open_district(root, code, database_url=urls.get(code), agreement=terms)
        for code in district_codes
    }
    keys = {HUB_PARTY: _identity(hub.folder)}
    keys.update({district_party(c): _identity(n.folder) for c, n in districts.items()})
    parties = _listed_parties(root, keys, district_codes)
    region = Region(root, hub, districts, keys, parties)
    hub.vault = _embedded_vault(root, hub)
    hub.identity = keys[HUB_PARTY]
    region.transport.register(
        HUB_PARTY,
        InboxReceiver(
            HUB_PARTY, hub.sessions, parties, dispatch(hub_inbox_handlers(hub, parties))
        ),
    )
    for code, node in districts.items():
        party = district_party(code)
        region.transport.register(
            party, InboxReceiver(party, node.sessions, parties, district_dispatch(node))
        )
    return region


def _embedded_vault(root: Path, hub: HubNode) -> Vault:
    """The hub's vault; the embedded default keeps its master key in a file.

    A deployment gives the master key through the environment (or a key file
    it names) and keeps it away from the data folder and its backups; the
    embedded default makes one beside the nodes so that a demo runs anywhere.
    """
    if MASTER_KEY_VARIABLE in os.environ or MASTER_KEY_FILE_VARIABLE in os.environ:
        master = load_master_key()
    else:
        path = root / MASTER_KEY_FILE
        if not path.exists():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(32)).decode())
        master = load_master_key({MASTER_KEY_FILE_VARIABLE: str(path)})
    return Vault(master, FileSecretStore(hub.folder / KEY_STORE_FOLDER))


def _identity(folder: Path) -> Ed25519PrivateKey:
    path = folder / IDENTITY_FILE
    if not path.exists():
        save_private_key(generate_key(), path)
    return load_private_key(path)


def _listed_parties(
    root: Path, keys: dict[str, Ed25519PrivateKey], codes: list[str]
) -> PartyDirectory:
    """The parties file of the data folder, with these nodes added if new."""
    path = root / PARTIES_FILE
    listed: dict[str, dict[str, str]] = {}
    if path.exists():
        listed = tomllib.loads(path.read_text(encoding="utf-8")).get("parties", {})
    for party_id, key in keys.items():
        listed.setdefault(party_id, {"public_key": public_key_text(key)})
    path.write_text(_parties_toml(listed), encoding="utf-8")
    by_code = {district_party(code): code for code in codes}
    return PartyDirectory(
        Party(
            party_id=party_id,
            kind=PartyKind.HUB if party_id == HUB_PARTY else PartyKind.DISTRICT,
            public_key=entry["public_key"],
            district_code=by_code.get(party_id, entry.get("district_code")),
        )
        for party_id, entry in listed.items()
    )


def _parties_toml(listed: dict[str, dict[str, str]]) -> str:
    lines = ["# The parties of the agreement and their public keys.", ""]
    for party_id, entry in sorted(listed.items()):
        lines.append(f'[parties."{party_id}"]')
        lines.extend(f'{key} = "{value}"' for key, value in sorted(entry.items()))
        lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True)
class SentRelease:
    prepared: PreparedRelease
    envelope: Envelope
    applied: bool


def send_release(region: Region, code: str, school_year: SchoolYear) -> SentRelease:
    """Prepare a district's release for a year, queue it, and deliver it."""
    node = region.districts[code]
    prepared = prepare_release(node, school_year)
    sender = district_party(code)
    with node.sessions.begin() as session:
        envelope = enqueue(
            session,
            sender_key=region.keys[sender],
            sender=sender,
            recipient=HUB_PARTY,
            type=MessageType.DEIDENTIFIED_RELEASE,
            payload=prepared.payload,
        )
    report = deliver_pending(node.sessions, region.transport)
    applied = envelope.message_id in report.delivered and _applied(region, envelope)
    return SentRelease(prepared, envelope, applied)


def _applied(region: Region, envelope: Envelope) -> bool:
    with region.hub.sessions() as session:
        row = session.get(InboxMessage, envelope.message_id)
        return row is not None and row.status.value == AckStatus.APPLIED.value
