"""The hub node's place on disk, its database, and the keys it acts with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.errors import ConfigError
from youthbridge.exchange.signing import load_private_key
from youthbridge.security.keys import FileSecretStore, load_master_key
from youthbridge.security.vault import Vault
from youthbridge.storage.database import (
    NodeKind,
    create_schema,
    make_engine,
    session_factory,
    sqlite_url,
)

HUB_PARTY_ID = "hub"
IDENTITY_FILE = "identity.key"
KEY_STORE_FOLDER = "subject-keys"


@dataclass
class HubNode:
    folder: Path
    engine: Engine
    sessions: sessionmaker[Session]
    agreement: Agreement
    vault: Vault | None = None
    identity: Ed25519PrivateKey | None = None
    party_id: str = HUB_PARTY_ID

    def close(self) -> None:
        """Release the database connections the node holds."""
        self.engine.dispose()

    def keys(self) -> Vault:
        """The vault that seals consented records, made on first use.

        The master key comes from the environment and the subject secrets from
        a folder beside the database, never inside it, so that a database
        backup alone can open nothing.
        """
        if self.vault is None:
            store = FileSecretStore(self.folder / KEY_STORE_FOLDER)
            self.vault = Vault(load_master_key(), store)
        return self.vault

    def signing_key(self) -> Ed25519PrivateKey:
        """The identity key the hub signs its messages with."""
        if self.identity is None:
            self.identity = load_private_key(self.folder / IDENTITY_FILE)
        return self.identity


def open_hub(
    root: Path,
    *,
    database_url: str | None = None,
    agreement: Agreement | None = None,
    vault: Vault | None = None,
    identity: Ed25519PrivateKey | None = None,
) -> HubNode:
    """Open (creating if new) the hub node under the data folder."""
    folder = root / "hub"
    folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url or sqlite_url(folder / "hub.sqlite"))
    create_schema(engine, NodeKind.HUB)
    return HubNode(
        folder,
        engine,
        session_factory(engine),
        agreement or Agreement(),
        vault=vault,
        identity=identity,
    )


def open_existing_hub(root: Path) -> HubNode:
    """Open a hub that must already exist, rather than make an empty one."""
    if not (root / "hub" / "hub.sqlite").exists():
        raise ConfigError(
            f"there is no hub in {root}; release a district's records to it first"
            " (youthbridge district release ...) or give the right --data-dir",
            code="hub:unknown",
        )
    return open_hub(root)
