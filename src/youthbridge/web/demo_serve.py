"""`youthbridge demo --serve`: the demo region served on loopback ports.

The hub and both districts of the synthetic demo each get their own app and
port, and one demonstration account per role, whose sign-in details (the
authenticator keys included) are printed so that a tester can sign in. Messages
between the nodes are delivered at once after each change, as the embedded
default's in-process transport allows.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI

from youthbridge.demo import run_demo
from youthbridge.embedded import Region, district_party, open_region
from youthbridge.security.accounts import first_admin
from youthbridge.security.keys import MASTER_KEY_VARIABLE, MasterKey
from youthbridge.security.settings import SecuritySettings, load_settings
from youthbridge.storage.database import NodeKind
from youthbridge.web.district.app import create_app as create_district_app
from youthbridge.web.hub.app import create_app as create_hub_app
from youthbridge.web.serving import LOOPBACK, BackgroundServer
from youthbridge.web.staff import StaffAccount, make_staff

Say = Callable[[str], None]


@dataclass
class ServedNode:
    name: str
    server: BackgroundServer
    staff: list[StaffAccount]


@dataclass
class ServedRegion:
    """The running demo: its region, its servers and its accounts."""

    region: Region
    nodes: list[ServedNode] = field(default_factory=list)

    def stop(self) -> None:
        for node in self.nodes:
            node.server.stop()
        self.region.close()


def wire_region(region: Region) -> Callable[[], None]:
    """A function that delivers every node's messages, one delivery at a time.

    `open_region` has already registered each node's receiver on the transport.
    """
    lock = threading.Lock()

    def deliver() -> None:
        # One delivery at a time: two requests finishing together must not
        # hand the same outbox row to the transport twice.
        with lock:
            region.deliver()

    return deliver


def region_apps(
    region: Region, settings: SecuritySettings, imports: Path, *, secure: bool
) -> dict[str, FastAPI]:
    """The hub's app and each district's, by name, wired to deliver at once."""
    deliver = wire_region(region)
    districts = {
        code: region.parties.find(district_party(code)) for code in region.districts
    }
    apps = {
        "hub": create_hub_app(
            region.hub,
            settings=settings,
            districts=districts,
            secure_cookies=secure,
            after_change=deliver,
        )
    }
    for code, node in region.districts.items():
        apps[f"district {code}"] = create_district_app(
            node,
            settings=settings,
            import_roots=[imports],
            secure_cookies=secure,
            after_change=deliver,
        )
    return apps


def serve_region(
    folder: Path, codes: list[str], settings: SecuritySettings, *, host: str, port: int
) -> ServedRegion:
    """Open the demo's nodes, make their staff, and serve each on its own port."""
    region = open_region(folder / "nodes", codes)
    served = ServedRegion(region)
    apps = region_apps(region, settings, folder / "exports", secure=False)
    for offset, (name, app) in enumerate(apps.items()):
        code = None if name == "hub" else name.removeprefix("district ")
        staff = _staff(region, settings, code)
        server = BackgroundServer(app, host=host, port=port + offset if port else 0)
        served.nodes.append(ServedNode(name, server.start(), staff))
    return served


def _staff(
    region: Region, settings: SecuritySettings, code: str | None
) -> list[StaffAccount]:
    # The demo's consent path already made each node's first administrator.
    if code is None:
        hub = region.hub.sessions
        return make_staff(hub, settings, NodeKind.HUB, by=first_admin(hub))
    factory = region.districts[code].sessions
    return make_staff(
        factory,
        settings,
        NodeKind.DISTRICT,
        district_code=code,
        by=first_admin(factory),
    )


def describe(served: ServedRegion) -> list[str]:
    """Addresses and sign-in details, one line each, for the tester."""
    lines = []
    for node in served.nodes:
        lines.append(f"{node.name}: {node.server.url}")
        lines.extend(
            f"  {account.role:<17} username {account.username:<17} "
            f"password {account.password}  authenticator key {account.totp_secret}"
            for account in node.staff
        )
    return lines


def run_demo_servers(
    data_dir: Path,
    *,
    host: str = LOOPBACK,
    port: int = 8400,
    scale: float = 0.02,
    say: Say = print,
    until: threading.Event | None = None,
) -> None:
    """Run the demo, serve it, print how to sign in, and serve until stopped."""
    # The demo's own master key when none is configured, so it runs anywhere.
    os.environ.setdefault(MASTER_KEY_VARIABLE, MasterKey.generate().encoded())
    result = run_demo(data_dir, scale=scale, say=say)
    codes = [report.district for report in result.ingests]
    served = serve_region(result.folder, codes, load_settings(), host=host, port=port)
    try:
        for line in describe(served):
            say(line)
        say("Sign in with the code an authenticator shows for the key. Ctrl-C stops.")
        (until or threading.Event()).wait()
    except KeyboardInterrupt:
        say("stopping")
    finally:
        served.stop()
