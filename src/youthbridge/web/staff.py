"""Staff accounts for a demonstration: one per role, each with an authenticator.

Accounts are made through `create_account` (the node's administrator first, who
then makes the others), and each authenticator is enrolled through the same
sign-in steps a person takes, so the audit log shows every account's making.
The enrolment is dated a minute back: the code it consumed is then an earlier
step than the one a tester types next, which would otherwise be refused as a
replay.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import pyotp
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.security.accounts import Account, create_account
from youthbridge.security.permissions import Role
from youthbridge.security.settings import SecuritySettings
from youthbridge.security.signin import (
    begin_sign_in,
    enrol_second_factor,
    sign_out,
    verify_second_factor,
)
from youthbridge.storage.base import utcnow
from youthbridge.storage.database import NodeKind

_LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class StaffAccount:
    """A demonstration account and what a tester needs to sign in with it."""

    username: str
    role: Role
    password: str = field(repr=False)
    totp_secret: str = field(repr=False)
    account: Account = field(repr=False)

    def code(self, steps_ahead: int = 0) -> str:
        """The authenticator's code now, or one step later for a second sign-in.

        A code is accepted once, and a step either side of the clock's, so the
        next step's code serves a second sign-in within the same half minute.
        """
        totp = pyotp.TOTP(self.totp_secret)
        return str(totp.at(utcnow(), counter_offset=steps_ahead))


def roles_of(kind: NodeKind) -> list[Role]:
    """Every role of one side, the administrator first."""
    admin = Role.HUB_ADMIN if kind is NodeKind.HUB else Role.DISTRICT_ADMIN
    return [admin, *(role for role in Role if role.node is kind and role is not admin)]


def make_staff(
    factory: sessionmaker[Session],
    settings: SecuritySettings,
    kind: NodeKind,
    *,
    district_code: str | None = None,
    prefix: str = "",
    password: str | None = None,
    by: Account | None = None,
) -> list[StaffAccount]:
    """One account per role of this side, each enrolled with an authenticator.

    Without `by`, the node must have no accounts yet: its administrator is made
    first and makes the rest.
    """
    made: list[StaffAccount] = []
    admin = by
    for role in roles_of(kind):
        username = f"{prefix}{role.value}"
        phrase = password or secrets.token_urlsafe(12)
        with factory.begin() as session:
            account = create_account(
                session,
                actor=admin,
                username=username,
                role=role,
                password=phrase,
                district_code=district_code,
                team="north" if kind is NodeKind.HUB else None,
            )
        admin = admin or account
        secret = enrol(factory, settings, username, phrase)
        made.append(StaffAccount(username, role, phrase, secret, account))
    return made


def enrol(
    factory: sessionmaker[Session],
    settings: SecuritySettings,
    username: str,
    password: str,
) -> str:
    """Enrol and confirm an authenticator for an account; returns its secret."""
    then = utcnow() - timedelta(seconds=60)
    pending = begin_sign_in(
        factory, username, password, _LOOPBACK, settings=settings, now=then
    )
    with factory.begin() as session:
        enrolment = enrol_second_factor(
            session, pending.token, settings=settings, now=then
        )
    code = pyotp.TOTP(enrolment.secret).at(then)
    verify_second_factor(
        factory, pending.token, code, _LOOPBACK, settings=settings, now=then
    )
    with factory.begin() as session:
        sign_out(session, pending.token, now=then)
    return enrolment.secret
