"""Fixtures for the security layer: a node database, settings and staff personas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import youthbridge.security.tables  # noqa: F401 (registers the tables)
from youthbridge.security import passwords, signin
from youthbridge.security.accounts import Account
from youthbridge.security.keys import MasterKey
from youthbridge.security.permissions import Role
from youthbridge.security.settings import SecuritySettings
from youthbridge.storage.base import CommonBase
from youthbridge.storage.database import make_engine, session_factory

PASSWORD = "correct horse battery staple"
OFFICE = "198.51.100.7"  # documentation address range (RFC 5737)
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with small parameters, so that tests of many sign-ins stay quick.

    The algorithm is unchanged; test_passwords checks the production parameters.
    """
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_HASHER", quick)
    monkeypatch.setattr(passwords, "_DECOY_HASH", quick.hash("decoy"))


@pytest.fixture
def settings() -> SecuritySettings:
    return SecuritySettings(master_key=MasterKey.generate())


@pytest.fixture
def engine(database_url: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(database_url("node"))
    CommonBase.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@dataclass
class Staff:
    """Makes the people of a scenario: accounts, signed in or not."""

    factory: sessionmaker[Session]
    settings: SecuritySettings

    def add(
        self, role: Role, username: str, *, district_code: str | None = None
    ) -> Account:
        """An account put straight in the database, as a fixture, not a service."""
        if district_code is None and role.node == "district":
            district_code = "D-0042"
        account = Account(
            node=str(role.node),
            username=username,
            role=role,
            district_code=district_code,
            password_hash=passwords.hash_password(PASSWORD),
            recovery_code_hashes=[],
            disabled=False,
            failed_attempts=0,
        )
        with self.factory.begin() as session:
            session.add(account)
        return account

    def enrolled(self, account: Account, now: datetime = T0) -> tuple[str, pyotp.TOTP]:
        """Sign in once with an enrolment; returns the session token and the TOTP."""
        pending = signin.begin_sign_in(
            self.factory,
            account.username,
            PASSWORD,
            OFFICE,
            settings=self.settings,
            now=now,
        )
        with self.factory.begin() as session:
            enrolment = signin.enrol_second_factor(
                session, pending.token, settings=self.settings, now=now
            )
        totp = pyotp.TOTP(enrolment.secret)
        signin.verify_second_factor(
            self.factory,
            pending.token,
            totp.at(now),
            OFFICE,
            settings=self.settings,
            now=now,
        )
        return pending.token, totp


@pytest.fixture
def staff(factory: sessionmaker[Session], settings: SecuritySettings) -> Staff:
    return Staff(factory=factory, settings=settings)
