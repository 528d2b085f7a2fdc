"""A node's configuration: a TOML file for the settings, the environment for secrets.

The file says what the node is and where things are: its kind and party id, its
data folder, the name of the environment variable that holds its database URL,
where it listens, its TLS files, the agreement's parties file and each peer's
address. It never holds a secret: a key that looks like one, or a URL with a
password in it, makes the file unusable, so that a configuration can be kept
in version control and copied between machines without leaking anything.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from youthbridge.domain.errors import ConfigError, Problem
from youthbridge.exchange.outbox import RetryPolicy
from youthbridge.exchange.parties import PartyKind

HUB_PARTY = "hub"

_SECTIONS: dict[str, frozenset[str]] = {
    "node": frozenset(
        {
            "kind",
            "party_id",
            "district_code",
            "data_dir",
            "database_url_env",
            "log_level",
        }
    ),
    "listen": frozenset({"host", "port"}),
    "tls": frozenset({"certificate", "private_key", "peer_ca"}),
    "agreement": frozenset({"parties"}),
    "peers": frozenset(),
    "schedule": frozenset(
        {
            "deliver_every_seconds",
            "daily_every_hours",
            "retry_first_delay_seconds",
            "retry_max_delay_seconds",
            "retry_max_attempts",
            "send_timeout_seconds",
        }
    ),
}
_SECRET_WORDS = ("password", "secret", "token", "master", "database_url")
_URL_WITH_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:[^/@]+@")
_LOG_LEVELS = ("debug", "info", "warning", "error")
_REQUIRED = object()


@dataclass(frozen=True)
class TlsFiles:
    """The node's certificate and key, and the CA its peers' certificates are from."""

    certificate: Path | None = None
    private_key: Path | None = None
    peer_ca: Path | None = None

    @property
    def serving(self) -> bool:
        return self.certificate is not None


@dataclass(frozen=True)
class Schedule:
    """How often the outbox is delivered, and how delivery backs off."""

    deliver_every: timedelta = timedelta(seconds=5)
    daily_every: timedelta = timedelta(hours=24)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    send_timeout: timedelta = timedelta(seconds=120)


@dataclass(frozen=True)
class NodeConfig:
    """Everything one node needs to run, except its secrets."""

    source: Path
    kind: PartyKind
    party_id: str
    district_code: str | None
    data_dir: Path
    database_url_variable: str | None
    host: str
    port: int
    tls: TlsFiles
    parties_file: Path
    peers: dict[str, str]
    schedule: Schedule
    log_level: str = "info"

    def database_url(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The URL from the named variable; None means the data folder's SQLite."""
        if self.database_url_variable is None:
            return None
        environ = os.environ if environ is None else environ
        url = environ.get(self.database_url_variable)
        if not url:
            raise ConfigError(
                f"{self.source}: the database URL is to come from"
                f" {self.database_url_variable}, which is not set; set it in the"
                " node's environment",
                code="config:database",
            )
        return url


def load_config(path: Path) -> NodeConfig:
    """Read a node's configuration file, reporting every problem in it at once."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(
            f"{path}: the configuration cannot be read: {error.strerror}",
            code="config:read",
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"{path}: the configuration is not valid TOML: {error}",
            code="config:toml",
        ) from error

    reader = _Reader(path, raw)
    reader.check_layout()
    config = reader.config()
    if reader.problems:
        raise ConfigError(
            f"{path}: {len(reader.problems)} problem(s) in the node's configuration",
            code="config:invalid",
            problems=reader.problems,
        )
    assert config is not None
    return config


class _Reader:
    """Reads one configuration file, keeping every problem instead of stopping."""

    def __init__(self, path: Path, raw: dict[str, Any]) -> None:
        self.source = path
        self.folder = path.resolve().parent
        self.raw = raw
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str, rule: str) -> None:
        self.problems.append(
            Problem(
                file=str(self.source),
                line=None,
                column=where,
                value=None,
                rule=rule,
                message=message,
            )
        )

    def check_layout(self) -> None:
        for section, content in self.raw.items():
            if section not in _SECTIONS or not isinstance(content, dict):
                self.problem(section, "this is not a known section", "config:section")
                continue
            for key, value in content.items():
                self._check_entry(section, key, value)

    def _check_entry(self, section: str, key: str, value: Any) -> None:
        where = f"{section}.{key}"
        # A secret in the file would travel with every copy of it; it is refused
        # outright, even under a key that is otherwise unknown.
        if any(word in key.lower() for word in _SECRET_WORDS) and not key.endswith(
            "_env"
        ):
            self.problem(
                where,
                "secrets are not kept in the configuration file; give them through"
                " the node's environment",
                "config:secret",
            )
        elif isinstance(value, str) and _URL_WITH_PASSWORD.match(value):
            self.problem(
                where,
                "this address carries a password; give it through the environment",
                "config:secret",
            )
        elif _SECTIONS[section] and key not in _SECTIONS[section]:
            self.problem(where, "this is not a known setting", "config:key")

    def value(self, section: str, key: str, default: Any = _REQUIRED) -> Any:
        found = self.raw.get(section, {})
        found = found.get(key, default) if isinstance(found, dict) else default
        if found is _REQUIRED:
            self.problem(f"{section}.{key}", "this setting is required", "config:key")
        return None if found is _REQUIRED else found

    def text(self, section: str, key: str, default: Any = _REQUIRED) -> str | None:
        found = self.value(section, key, default)
        if found is not None and not isinstance(found, str):
            self.problem(f"{section}.{key}", "this must be text", "config:type")
            return None
        return found

    def number(self, section: str, key: str, default: float) -> float:
        found = self.value(section, key, default)
        if isinstance(found, bool) or not isinstance(found, int | float) or found <= 0:
            self.problem(
                f"{section}.{key}", "this must be a positive number", "config:type"
            )
            return default
        return float(found)

    def path(self, section: str, key: str, default: Any = _REQUIRED) -> Path | None:
        found = self.text(section, key, default)
        # A relative path is read from the configuration file's own folder, so
        # that the node does not depend on where it was started from.
        return None if found is None else self.folder / Path(found).expanduser()

    def config(self) -> NodeConfig | None:
        # Every part is read before any is found missing, so that one run
        # reports every problem of the file.
        kind = self._kind()
        code = self.text("node", "district_code", None)
        party_id = self._party_id(kind, code)
        data_dir = self.path("node", "data_dir")
        parties = self.path("agreement", "parties")
        database = self.text("node", "database_url_env", None)
        host = self.text("listen", "host", "127.0.0.1") or "127.0.0.1"
        port, tls, peers = self._port(), self._tls(), self._peers()
        schedule, level = self._schedule(), self._log_level()
        if kind is None or party_id is None or data_dir is None or parties is None:
            return None
        return NodeConfig(
            self.source,
            kind,
            party_id,
            code,
            data_dir,
            database,
            host,
            port,
            tls,
            parties,
            peers,
            schedule,
            level,
        )

    def _kind(self) -> PartyKind | None:
        kind = self.text("node", "kind")
        if kind is None:
            return None
        try:
            return PartyKind(kind)
        except ValueError:
            self.problem("node.kind", "this must be `hub` or `district`", "config:kind")
            return None

    def _party_id(self, kind: PartyKind | None, code: str | None) -> str | None:
        # The services sign and address messages with these party ids, so a
        # configuration that names another would sign as one party and be
        # listed as another; it is refused here instead.
        if kind is PartyKind.DISTRICT and code is None:
            self.problem(
                "node.district_code", "a district node needs its code", "config:key"
            )
            return None
        expected = HUB_PARTY if kind is PartyKind.HUB else f"district:{code}".lower()
        if kind is PartyKind.HUB and code is not None:
            self.problem("node.district_code", "the hub has none", "config:key")
        given = self.text("node", "party_id", expected)
        if given != expected:
            self.problem(
                "node.party_id", f"this node's party id is `{expected}`", "config:party"
            )
        return expected if kind is not None else None

    def _port(self) -> int:
        port = self.value("listen", "port", 8000)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            self.problem("listen.port", "this must be a port number", "config:type")
            return 8000
        return port

    def _tls(self) -> TlsFiles:
        files = TlsFiles(
            certificate=self.path("tls", "certificate", None),
            private_key=self.path("tls", "private_key", None),
            peer_ca=self.path("tls", "peer_ca", None),
        )
        if (files.certificate is None) != (files.private_key is None):
            self.problem(
                "tls", "give both the certificate and its private key", "config:tls"
            )
        return files

    def _peers(self) -> dict[str, str]:
        peers = self.raw.get("peers", {})
        if not isinstance(peers, dict):
            return {}
        found: dict[str, str] = {}
        for party_id, url in peers.items():
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                self.problem(f"peers.{party_id}", "this must be a URL", "config:peer")
                continue
            found[party_id] = url.rstrip("/")
        return found

    def _schedule(self) -> Schedule:
        def seconds(key: str, default: float) -> timedelta:
            return timedelta(seconds=self.number("schedule", key, default))

        attempts = self.number("schedule", "retry_max_attempts", 12)
        return Schedule(
            deliver_every=seconds("deliver_every_seconds", 5),
            daily_every=timedelta(
                hours=self.number("schedule", "daily_every_hours", 24)
            ),
            retry=RetryPolicy(
                first_delay=seconds("retry_first_delay_seconds", 30),
                max_delay=seconds("retry_max_delay_seconds", 3600),
                max_attempts=int(attempts),
            ),
            send_timeout=seconds("send_timeout_seconds", 120),
        )

    def _log_level(self) -> str:
        level = self.text("node", "log_level", "info") or "info"
        if level not in _LOG_LEVELS:
            self.problem(
                "node.log_level", "use debug, info, warning or error", "config:type"
            )
            return "info"
        return level
