"""Staff accounts and their sessions, and the one door for changing an account.

Every change goes through a function here that takes the acting account as a
keyword argument and writes its audit entry in the caller's transaction. An
administrator manages accounts only on their own side of the boundary, and a
district administrator only in their own district.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    exists,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, sessionmaker

from youthbridge.domain.errors import AccessDenied, NotFound, Refused
from youthbridge.security import audit
from youthbridge.security.audit import AuditEvent
from youthbridge.security.passwords import check_new_password, hash_password
from youthbridge.security.permissions import Permission, Role, require
from youthbridge.security.timestamps import UTCDateTime
from youthbridge.storage.base import CommonBase, utcnow
from youthbridge.storage.database import NodeKind

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_ADMINS = frozenset({Role.DISTRICT_ADMIN, Role.HUB_ADMIN})


def _new_id() -> str:
    return uuid.uuid4().hex


class Account(CommonBase):
    """A member of staff who signs in; never a student or a family member."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    node: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            native_enum=False,
            length=32,
            values_callable=lambda roles: [role.value for role in roles],
            validate_strings=True,
        )
    )
    district_code: Mapped[str | None] = mapped_column(String(32))
    team: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    # The TOTP secret is sealed under a key derived from the master key; the
    # key id says which master key, so that rotation can find it.
    totp_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_master_key_id: Mapped[str | None] = mapped_column(String(16))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    recovery_code_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    failures_counted_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attestation_version: Mapped[str | None] = mapped_column(String(32))
    attestation_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        # Never the hashes or the sealed secret, even in a traceback.
        return f"Account(id={self.id!r}, role={self.role!s})"


class AuthSession(CommonBase):
    """One signed-in browser or client; only a hash of its token is stored."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    mfa_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(32))
    client_address_hash: Mapped[str | None] = mapped_column(String(64))

    account: Mapped[Account] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"AuthSession(id={self.id!r}, account_id={self.account_id!r})"


class SignInFailure(CommonBase):
    """One refused sign-in step, counted for lockout and address throttling."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_address_time", "client_address_hash", "failed_at"),
        Index("ix_sign_in_failures_account_time", "account_id", "failed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str | None] = mapped_column(String(32))
    client_address_hash: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DisableReason(StrEnum):
    """Why an account was disabled: a closed list, so no free text is logged."""

    LEFT_ROLE = "left-role"
    SUSPECTED_COMPROMISE = "suspected-compromise"
    POLICY_VIOLATION = "policy-violation"
    EXTENDED_LEAVE = "extended-leave"


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_account(
    session: Session,
    *,
    actor: Account | None,
    username: str,
    role: Role,
    password: str,
    district_code: str | None = None,
    team: str | None = None,
) -> Account:
    """Create an account; `actor` None is allowed only for a node's first admin."""
    username = normalise_username(username)
    _check_new_account(username, role, district_code)
    _require_may_create(session, actor, role, district_code)
    check_new_password(username, password)
    if session.scalar(select(exists().where(Account.username == username))):
        raise Refused("That username is taken.", code="account:exists")

    account = Account(
        id=_new_id(),
        node=str(role.node),
        username=username,
        role=role,
        district_code=district_code,
        team=team,
        password_hash=hash_password(password),
        recovery_code_hashes=[],
        disabled=False,
        failed_attempts=0,
    )
    session.add(account)
    session.flush()

    audit.record(
        session,
        actor=actor,
        action=AuditEvent.ACCOUNT_CREATE,
        details={"account_id": account.id, "role": str(role)},
    )
    return account


def _check_new_account(username: str, role: Role, district_code: str | None) -> None:
    if not _USERNAME.match(username):
        raise Refused(
            "A username is 3 to 64 lowercase letters, digits, dots, dashes or "
            "underscores, starting with a letter or digit.",
            code="account:username",
        )
    if role.node is NodeKind.DISTRICT and not district_code:
        raise Refused(
            f"A `{role}` account needs the code of its district.",
            code="account:district",
        )
    if role.node is NodeKind.HUB and district_code:
        raise Refused(
            f"A `{role}` account works at the hub and has no district.",
            code="account:district",
        )


def _require_may_create(
    session: Session, actor: Account | None, role: Role, district_code: str | None
) -> None:
    if actor is not None:
        _require_manages(actor, role, district_code)
        return
    # Bootstrap: with no accounts at all, the node's first admin may be made
    # from the command line by whoever runs the node.
    if session.scalar(select(exists().where(Account.id.is_not(None)))):
        raise AccessDenied(
            "Only an administrator can create accounts.", code="access:denied"
        )
    if role not in _ADMINS:
        raise Refused(
            "The first account on a node must be its administrator.",
            code="account:bootstrap",
        )


def _require_manages(actor: Account, role: Role, district_code: str | None) -> None:
    require(actor, Permission.ACCOUNT_MANAGE)
    if actor.role.node != role.node:
        raise AccessDenied(
            "Administrators manage accounts on their own side only.",
            code="access:denied",
        )
    if actor.role.node is NodeKind.DISTRICT and actor.district_code != district_code:
        raise AccessDenied(
            "District administrators manage accounts in their own district only.",
            code="access:denied",
        )


def get_account(session: Session, account_id: str) -> Account:
    """The account with this id, or NotFound."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("There is no such account.", code="account:missing")
    return account


def disable_account(
    session: Session,
    account_id: str,
    *,
    actor: Account,
    reason: DisableReason,
) -> Account:
    """Disable an account at once; every session it has ends in this transaction."""
    account = get_account(session, account_id)
    _require_manages(actor, account.role, account.district_code)
    now = utcnow()

    account.disabled = True
    account.disabled_at = now
    ended = end_sessions(session, account.id, reason="account-disabled", now=now)

    audit.record(
        session,
        actor=actor,
        action=AuditEvent.ACCOUNT_DISABLE,
        details={"account_id": account.id, "reason": str(reason), "sessions": ended},
    )
    return account


def unlock_account(session: Session, account_id: str, *, actor: Account) -> Account:
    """Lift a lockout early, after the administrator has spoken to the person."""
    account = get_account(session, account_id)
    _require_manages(actor, account.role, account.district_code)

    account.locked_until = None
    account.failed_attempts = 0
    account.failures_counted_from = utcnow()

    audit.record(
        session,
        actor=actor,
        action=AuditEvent.ACCOUNT_UNLOCK,
        details={"account_id": account.id},
    )
    return account


def reset_second_factor(session: Session, account_id: str, *, actor: Account) -> None:
    """Forget a lost authenticator; the person enrols again at next sign-in."""
    account = get_account(session, account_id)
    _require_manages(actor, account.role, account.district_code)

    account.totp_secret_sealed = None
    account.totp_master_key_id = None
    account.totp_confirmed_at = None
    account.totp_last_step = None
    account.recovery_code_hashes = []
    ended = end_sessions(session, account.id, reason="second-factor-reset")

    audit.record(
        session,
        actor=actor,
        action=AuditEvent.SECOND_FACTOR_RESET,
        details={"account_id": account.id, "sessions": ended},
    )


def end_sessions(
    session: Session, account_id: str, *, reason: str, now: datetime | None = None
) -> int:
    """End every open session of an account; returns how many were open."""
    result = session.execute(
        update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.ended_at.is_(None))
        .values(ended_at=now or utcnow(), end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def accept_attestation(session: Session, *, actor: Account, version: str) -> None:
    """Record that the acting person accepted this version of the attestation."""
    actor.attestation_version = version
    actor.attestation_accepted_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action=AuditEvent.ATTESTATION_ACCEPT,
        details={"version": version},
    )


def require_attestation(account: Account, current_version: str) -> None:
    """Refuse until the account has accepted the current confidentiality text."""
    if account.attestation_version != current_version:
        raise AccessDenied(
            "Please read and accept the current confidentiality attestation "
            f"(version {current_version}) before continuing.",
            code="attestation:required",
        )


def first_admin(factory: sessionmaker[Session]) -> Account | None:
    """The node's first administrator, if it has one, who makes further staff.

    A node's bootstrap account may be made only while it has none, so anything
    that adds staff afterwards acts as this admin.
    """
    admins = (Role.HUB_ADMIN, Role.DISTRICT_ADMIN)
    query = (
        select(Account)
        .where(Account.role.in_(admins), Account.disabled.is_(False))
        .order_by(Account.created_at, Account.id)
        .limit(1)
    )
    with factory() as session:
        return session.scalars(query).first()
