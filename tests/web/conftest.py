"""Fixtures for the web apps: the demo region, its apps, and staff personas.

The demo region is built once per worker (it takes a while); each test makes
its own staff accounts, since an authenticator code is accepted only once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from youthbridge.demo import run_demo
from youthbridge.embedded import Region, open_region
from youthbridge.security import passwords
from youthbridge.security.accounts import Account, first_admin
from youthbridge.security.keys import MASTER_KEY_VARIABLE, MasterKey
from youthbridge.security.permissions import Role
from youthbridge.security.settings import SecuritySettings
from youthbridge.storage.database import NodeKind
from youthbridge.web.demo_serve import region_apps
from youthbridge.web.staff import StaffAccount, make_staff

PASSWORD = "correct horse battery staple"
_PREFIXES = itertools.count(1)


def _quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Argon2id with small parameters; security/test_passwords checks the real ones.
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_HASHER", quick)
    monkeypatch.setattr(passwords, "_DECOY_HASH", quick.hash("decoy"))


@dataclass
class WebRegion:
    """The demo's hub and two districts, their apps, and their administrators."""

    folder: Path
    region: Region
    settings: SecuritySettings
    apps: dict[str, FastAPI]
    admins: dict[str, Account]

    @property
    def hub_app(self) -> FastAPI:
        return self.apps["hub"]

    def district_app(self, code: str = "0180") -> FastAPI:
        return self.apps[f"district {code}"]

    def staff(self, node: str = "hub") -> dict[Role, StaffAccount]:
        """Fresh accounts, one per role, on the hub or a district ("0180")."""
        prefix = f"t{next(_PREFIXES)}-"
        if node == "hub":
            factory, kind, code = self.region.hub.sessions, NodeKind.HUB, None
        else:
            factory = self.region.districts[node].sessions
            kind, code = NodeKind.DISTRICT, node
        made = make_staff(
            factory,
            self.settings,
            kind,
            district_code=code,
            prefix=prefix,
            password=PASSWORD,
            by=self.admins[node],
        )
        return {account.role: account for account in made}


@pytest.fixture(scope="session")
def web_region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebRegion]:
    with pytest.MonkeyPatch.context() as patch:
        _quick_hashing(patch)
        patch.setenv(MASTER_KEY_VARIABLE, MasterKey.generate().encoded())
        folder = run_demo(tmp_path_factory.mktemp("web"), scale=0.01).folder
        region = open_region(folder / "nodes", ["0180", "0130"])
        settings = SecuritySettings(master_key=MasterKey.generate())
        apps = region_apps(region, settings, folder / "exports", secure=False)
        admins = {}
        for node, factory, kind, code in (
            ("hub", region.hub.sessions, NodeKind.HUB, None),
            ("0180", region.districts["0180"].sessions, NodeKind.DISTRICT, "0180"),
            ("0130", region.districts["0130"].sessions, NodeKind.DISTRICT, "0130"),
        ):
            first = make_staff(
                factory,
                settings,
                kind,
                district_code=code,
                password=PASSWORD,
                by=first_admin(factory),
            )
            admins[node] = first[0].account
        yield WebRegion(folder, region, settings, apps, admins)
        region.close()


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    _quick_hashing(monkeypatch)
