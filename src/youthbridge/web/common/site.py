"""The node a web application serves, and everything its requests need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from youthbridge.security.settings import SecuritySettings
from youthbridge.storage.database import NodeKind


def _nothing() -> None:
    return None


@dataclass
class Site:
    """One node's web application settings; kept on `app.state.site`."""

    kind: NodeKind
    sessions: sessionmaker[Session]
    settings: SecuritySettings
    title: str
    district_code: str | None = None
    # Cookies carry the Secure flag unless the app is served on loopback only.
    secure_cookies: bool = True
    # Called after a change that queued messages, so an embedded region can
    # deliver them at once; a deployment's outbox worker does it otherwise.
    after_change: Callable[[], None] = field(default=_nothing)
    # Folders on the server from which a district may ingest by path.
    import_roots: tuple[Path, ...] = ()

    @property
    def session_cookie(self) -> str:
        # Named per node: browsers share cookies across the ports of one host,
        # and the demo serves every node on the same loopback address.
        return f"yb_session_{self._label}"

    @property
    def csrf_cookie(self) -> str:
        return f"yb_csrf_{self._label}"

    @property
    def _label(self) -> str:
        return (self.district_code or "hub").lower()

    @property
    def csrf_key(self) -> bytes:
        return self.settings.master_key.derive("web-csrf")
