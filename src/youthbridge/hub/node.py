"""The hub node's place on disk and its database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.domain.agreement import Agreement
from youthbridge.storage.database import (
    NodeKind,
    create_schema,
    make_engine,
    session_factory,
    sqlite_url,
)


@dataclass
class HubNode:
    folder: Path
    engine: Engine
    sessions: sessionmaker[Session]
    agreement: Agreement

    def close(self) -> None:
        """Release the database connections the node holds."""
        self.engine.dispose()


def open_hub(
    root: Path, *, database_url: str | None = None, agreement: Agreement | None = None
) -> HubNode:
    """Open (creating if new) the hub node under the data folder."""
    folder = root / "hub"
    folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(database_url or sqlite_url(folder / "hub.sqlite"))
    create_schema(engine, NodeKind.HUB)
    return HubNode(folder, engine, session_factory(engine), agreement or Agreement())
