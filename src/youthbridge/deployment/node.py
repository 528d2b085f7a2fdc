"""A hub or a district opened from its configuration, ready to serve and to send.

The node keeps the embedded default's layout inside its own data folder (the
hub under `hub/`, a district under `district-CODE/`, each with its identity
key beside it), so that the same services run unchanged; what differs is that
its database URL may come from the environment, its parties from the
agreement's file, and its transport is HTTPS to its peers.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.district.inbox import district_dispatch
from youthbridge.district.node import DistrictNode, open_district
from youthbridge.domain.errors import ConfigError
from youthbridge.exchange.inbox import Apply, InboxReceiver
from youthbridge.exchange.parties import (
    Party,
    PartyDirectory,
    PartyKind,
    directory_from_mappings,
)
from youthbridge.exchange.signing import (
    generate_key,
    load_private_key,
    public_key_text,
    save_private_key,
)
from youthbridge.hub.inbox import dispatch, hub_inbox_handlers
from youthbridge.hub.node import HubNode, open_hub
from youthbridge.hub.progress import due_progress_updates
from youthbridge.hub.retention import destroy_lapsed

from .config import NodeConfig
from .peers import PeerTransport

IDENTITY_FILE = "identity.key"


@dataclass(frozen=True)
class DailyJob:
    """Work that a node does once a day, given the day it runs for."""

    name: str
    run: Callable[[date], object]


@dataclass
class DeployedNode:
    """One node of a deployment: its database, its parties, its inbox."""

    config: NodeConfig
    folder: Path
    sessions: sessionmaker[Session]
    parties: PartyDirectory
    partners: dict[str, Party]
    apply: Apply
    hub: HubNode | None = None
    district: DistrictNode | None = None
    daily: list[DailyJob] = field(default_factory=list)

    @property
    def receiver(self) -> InboxReceiver:
        return InboxReceiver(
            self.config.party_id, self.sessions, self.parties, self.apply
        )

    def identity(self) -> Ed25519PrivateKey:
        return load_identity(self.folder / IDENTITY_FILE, self)

    def transport(self) -> PeerTransport:
        config = self.config
        return PeerTransport(
            config.peers,
            ca_file=config.tls.peer_ca,
            timeout=config.schedule.send_timeout.total_seconds(),
        )

    def close(self) -> None:
        if self.hub is not None:
            self.hub.close()
        if self.district is not None:
            self.district.close()


def open_node(config: NodeConfig) -> DeployedNode:
    """Open the configured node, checking it against the agreement's parties."""
    parties, partners = read_parties(config.parties_file)
    if config.kind is PartyKind.HUB:
        node = _open_hub(config, parties, partners)
    else:
        node = _open_district(config, parties, partners)
    try:
        _check_listed(node)
        key = node.identity()
    except ConfigError:
        node.close()
        raise
    if node.hub is not None:
        # The hub signs its replies (certificates, progress) inside the inbox's
        # transaction, with the key just checked against the agreement.
        node.hub.identity = key
    return node


def node_folder(config: NodeConfig) -> Path:
    """Where the node keeps its files: the embedded default's layout."""
    if config.kind is PartyKind.HUB:
        return config.data_dir / "hub"
    return config.data_dir / f"district-{config.district_code}"


def _open_hub(
    config: NodeConfig, parties: PartyDirectory, partners: dict[str, Party]
) -> DeployedNode:
    hub = open_hub(config.data_dir, database_url=config.database_url())
    hub.party_id = config.party_id
    node = DeployedNode(
        config,
        hub.folder,
        hub.sessions,
        parties,
        partners,
        apply=dispatch(hub_inbox_handlers(hub, parties)),
        hub=hub,
        daily=[
            DailyJob("progress:monthly", lambda on: due_progress_updates(hub, on)),
            DailyJob("records:retention", lambda on: destroy_lapsed(hub, on)),
        ],
    )
    return node


def _open_district(
    config: NodeConfig, parties: PartyDirectory, partners: dict[str, Party]
) -> DeployedNode:
    assert config.district_code is not None
    district = open_district(
        config.data_dir, config.district_code, database_url=config.database_url()
    )
    # TODO: a district has no scheduled jobs yet: consent expiry (telling the
    # hub `consent:revoked` with reason expired) and the retention of its own
    # records have no service function to call. Add them here when they do.
    return DeployedNode(
        config,
        district.folder,
        district.sessions,
        parties,
        partners,
        apply=district_dispatch(district),
        district=district,
    )


def read_parties(path: Path) -> tuple[PartyDirectory, dict[str, Party]]:
    """The agreement's `[[parties]]`, and its districts by code."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(
            f"{path}: the agreement's parties file cannot be read: {error}",
            code="agreement:parties",
        ) from error
    entries = raw.get("parties", [])
    if not isinstance(entries, list):
        raise ConfigError(
            f"{path}: list the parties as [[parties]] tables",
            code="agreement:parties",
        )
    directory = directory_from_mappings(entries, source=str(path))
    found = (directory.find(str(entry["party_id"])) for entry in entries)
    partners = {
        party.district_code: party
        for party in found
        if party.kind is PartyKind.DISTRICT and party.district_code is not None
    }
    return directory, partners


def _check_listed(node: DeployedNode) -> None:
    config = node.config
    problems = []
    if config.party_id not in node.parties:
        problems.append(f"this node's party `{config.party_id}` is not listed")
    problems.extend(
        f"the peer `{peer}` is not listed"
        for peer in config.peers
        if peer not in node.parties
    )
    if problems:
        raise ConfigError(
            f"{config.parties_file}: " + "; ".join(problems),
            code="agreement:parties",
        )


def load_identity(path: Path, node: DeployedNode) -> Ed25519PrivateKey:
    """The node's signing key, refused unless the agreement lists its public half."""
    if not path.exists():
        raise ConfigError(
            f"{path}: the node's identity key is missing; make one with"
            " `youthbridge exchange identity --config FILE`, or restore it",
            code="exchange:identity",
        )
    key = load_private_key(path)
    listed = node.parties.find(node.config.party_id)
    if listed.public_key != public_key_text(key):
        raise ConfigError(
            f"{node.config.parties_file}: the public key listed for"
            f" `{node.config.party_id}` is not this node's; list"
            f" {public_key_text(key)} or restore the node's own key",
            code="exchange:identity",
        )
    return key


def make_identity(folder: Path) -> tuple[Path, str, bool]:
    """The node's identity key file and public key; made if there is none yet."""
    path = folder / IDENTITY_FILE
    made = not path.exists()
    if made:
        save_private_key(generate_key(), path)
    return path, public_key_text(load_private_key(path)), made
