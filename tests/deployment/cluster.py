"""A hub and districts as separate `youthbridge serve --config` processes.

Each node has a folder of its own, as if on its own machine: its configuration
file, its data folder, its copy of the agreement's parties file, its TLS
certificate. They listen on free loopback ports, reach one another over HTTPS
verified against the test CA, and are started, killed and restarted by the
test. Every wait is bounded; every process is killed when the test ends.
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.deployment.config import load_config
from youthbridge.deployment.node import make_identity, node_folder
from youthbridge.security.keys import MasterKey
from youthbridge.storage.database import make_engine, session_factory, sqlite_url
from youthbridge.web.serving import LOOPBACK, free_port

from .certificates import LocalAuthority

YOUTHBRIDGE = str(Path(sys.executable).with_name("youthbridge"))
START_SECONDS = 120.0
STOP_SECONDS = 15.0
HUB_DATABASE_VARIABLE = "YB_TEST_HUB_DATABASE_URL"

# Short pauses so that a node that comes back is reached again within seconds;
# the attempts are many so that no message dies while its peer is down.
_SCHEDULE = """
[schedule]
deliver_every_seconds = 0.5
retry_first_delay_seconds = 0.5
retry_max_delay_seconds = 2
retry_max_attempts = 10000
send_timeout_seconds = 120
"""


def wait_for(
    check: Callable[[], bool], what: str, timeout: float = 60.0, every: float = 0.25
) -> None:
    """Poll until `check` holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def run_cli(*args: str, env: dict[str, str] | None = None) -> str:
    """Run one youthbridge command to completion; its standard output."""
    done = subprocess.run(
        [YOUTHBRIDGE, *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env or clean_environment(),
        check=False,
    )
    assert done.returncode == 0, f"{args[:2]} failed: {done.stderr[-2000:]}"
    return done.stdout


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any youthbridge setting of its own."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("YOUTHBRIDGE")}
    environ.pop(HUB_DATABASE_VARIABLE, None)
    environ.update(extra)
    return environ


@dataclass
class NodeProcess:
    """One node's machine: its files, and its server process when it runs."""

    name: str
    machine: Path
    config_path: Path
    port: int
    environment: dict[str, str]
    ca_file: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.machine / "serve.log"

    @property
    def url(self) -> str:
        return f"https://{LOOPBACK}:{self.port}"

    @property
    def database_path(self) -> Path:
        config = load_config(self.config_path)
        if config.database_url_variable is not None:
            url = self.environment[config.database_url_variable]
            return Path(url.removeprefix("sqlite:///"))
        name = "hub.sqlite" if config.district_code is None else "district.sqlite"
        return node_folder(config) / name

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [YOUTHBRIDGE, "serve", "--config", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=self.environment,
            )
        self.starts += 1

    def wait_ready(self, timeout: float = START_SECONDS) -> None:
        def answering() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited: {self.log_tail()}")
            try:
                return bool(self.health()["status"] == "ok")
            except httpx.HTTPError:
                return False

        wait_for(answering, f"{self.name} to answer /healthz", timeout, every=0.5)

    def health(self) -> dict[str, Any]:
        with self.client() as client:
            response = client.get(f"{self.url}/healthz", timeout=5.0)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def client(self) -> httpx.Client:
        return httpx.Client(verify=ssl.create_default_context(cafile=self.ca_file))

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, as when a machine loses power."""
        assert self.process is not None
        assert self.process.poll() is None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        self.wait_stopped()

    def wait_stopped(self) -> None:
        assert self.process is not None
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_SECONDS)

    def log_tail(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def log_events(self) -> list[dict[str, Any]]:
        events = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                events.append({"unparsed": line})
        return events

    @contextmanager
    def database(self) -> Iterator[sessionmaker[Session]]:
        """The node's own database, opened beside the running server."""
        engine: Engine = make_engine(sqlite_url(self.database_path))
        try:
            yield session_factory(engine)
        finally:
            engine.dispose()


@dataclass
class Cluster:
    """The hub and the districts of one test agreement."""

    nodes: dict[str, NodeProcess]
    authority: LocalAuthority

    @property
    def hub(self) -> NodeProcess:
        return self.nodes["hub"]

    def start_all(self) -> None:
        for node in self.nodes.values():
            node.start()
        for node in self.nodes.values():
            node.wait_ready()

    def stop_all(self) -> None:
        # All asked at once, then waited for: each winds down in parallel.
        running = [node for node in self.nodes.values() if node.process is not None]
        for node in running:
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()
        for node in running:
            node.wait_stopped()


def build_cluster(root: Path, district_codes: Sequence[str]) -> Cluster:
    """Write each node's files, make its identity key, list every party."""
    authority = LocalAuthority(root / "ca")
    nodes = {"hub": _node(root, authority, "hub", None)}
    for code in district_codes:
        nodes[code] = _node(root, authority, f"district-{code}", code)
    addresses = {_party(code): node.url for code, node in nodes.items()}
    entries = []
    for code, node in nodes.items():
        peers = {p: url for p, url in addresses.items() if p != _party(code)}
        if code != "hub":
            peers = {"hub": addresses["hub"]}
        _write_config(node, code, peers)
        entries.append(_identity_entry(node, code))
    for node in nodes.values():
        (node.machine / "parties.toml").write_text(
            "\n\n".join(entries) + "\n", encoding="utf-8"
        )
    return Cluster(nodes, authority)


def _party(code: str) -> str:
    return "hub" if code == "hub" else f"district:{code.lower()}"


def _node(
    root: Path, authority: LocalAuthority, name: str, code: str | None
) -> NodeProcess:
    machine = root / name
    (machine / "data").mkdir(parents=True)
    authority.issue(name)
    environment = clean_environment(
        YOUTHBRIDGE_MASTER_KEY=MasterKey.generate().encoded()
    )
    if code is None:
        # The hub's database URL comes from the environment, as a deployment's
        # PostgreSQL URL with its password would.
        (machine / "database").mkdir()
        url = sqlite_url(machine / "database" / "hub.sqlite")
        environment[HUB_DATABASE_VARIABLE] = url
    return NodeProcess(
        name=name,
        machine=machine,
        config_path=machine / "node.toml",
        port=free_port(),
        environment=environment,
        ca_file=authority.ca_file,
    )


def _write_config(node: NodeProcess, code: str, peers: dict[str, str]) -> None:
    files = node.ca_file.parent
    hub = code == "hub"
    lines = [
        "[node]",
        f'kind = "{"hub" if hub else "district"}"',
        *([] if hub else [f'district_code = "{code}"']),
        'data_dir = "data"',
        *([f'database_url_env = "{HUB_DATABASE_VARIABLE}"'] if hub else []),
        "",
        "[listen]",
        f'host = "{LOOPBACK}"',
        f"port = {node.port}",
        "",
        "[tls]",
        f'certificate = "{files / node.name}.crt"',
        f'private_key = "{files / node.name}.key"',
        f'peer_ca = "{node.ca_file}"',
        "",
        "[agreement]",
        'parties = "parties.toml"',
        "",
        "[peers]",
        *(f'"{party}" = "{url}"' for party, url in peers.items()),
        _SCHEDULE,
    ]
    node.config_path.write_text("\n".join(lines), encoding="utf-8")


def _identity_entry(node: NodeProcess, code: str) -> str:
    """The node's `[[parties]]` entry; the hub's is made through the command."""
    if code == "hub":
        printed = run_cli("exchange", "identity", "--config", str(node.config_path))
        return "\n".join(
            line for line in printed.splitlines() if not line.startswith("#")
        )
    config = load_config(node.config_path)
    folder = node_folder(config)
    folder.mkdir(parents=True, exist_ok=True)
    _path, public_key, _made = make_identity(folder)
    return "\n".join(
        [
            "[[parties]]",
            f'party_id = "{config.party_id}"',
            'kind = "district"',
            f'public_key = "{public_key}"',
            f'district_code = "{code}"',
        ]
    )
