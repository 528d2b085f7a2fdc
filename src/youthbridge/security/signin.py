"""Signing in: password, then second factor, then a session that expires.

The two sign-in steps take a session factory rather than a session, because a
refusal must be remembered: the failure count, the lockout and the audit entry
are committed first, and only then is the refusal raised. A caller's rolled-back
transaction would otherwise erase the very record that throttles an attacker.

Every refusal of a password says the same thing whether the username exists, the
password is wrong or the account is locked, so the answer reveals nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from youthbridge.domain.errors import AccessDenied, Refused
from youthbridge.security import audit
from youthbridge.security.accounts import (
    Account,
    AuthSession,
    SignInFailure,
    normalise_username,
)
from youthbridge.security.audit import AuditEvent, Outcome, hash_client_address
from youthbridge.security.passwords import (
    hash_password,
    needs_rehash,
    verify_decoy,
    verify_password,
)
from youthbridge.security.permissions import second_factor_required
from youthbridge.security.secondfactor import Enrolment, check_code, start_enrolment
from youthbridge.security.settings import SecuritySettings
from youthbridge.storage.base import utcnow

log = structlog.get_logger(__name__)


class SignInRefused(AccessDenied):
    """A sign-in step was refused; the message never says which check failed."""


class SignInThrottled(AccessDenied):
    """Too many failures came from one client address in a short time."""


class SessionEnded(AccessDenied):
    """The session is unknown, ended, expired, or its account is disabled."""


class NextStep(StrEnum):
    """What a person must do after their password was accepted."""

    SECOND_FACTOR = "second-factor"
    ENROL_SECOND_FACTOR = "enrol-second-factor"
    NONE = "none"


@dataclass(frozen=True)
class PendingSignIn:
    """A session opened by a correct password; the token goes to the client."""

    token: str = field(repr=False)
    session_id: str
    account_id: str
    next_step: NextStep


@dataclass(frozen=True)
class SignedIn:
    """A live session and its account, as every request handler receives them."""

    account: Account
    auth_session: AuthSession


_WRONG = (
    "The username or password is not right, or the account is locked for a "
    "while. Try again later, or ask your administrator."
)
_WRONG_CODE = "That code is not right. Try the current code, or a recovery code."


def begin_sign_in(
    factory: sessionmaker[Session],
    username: str,
    password: str,
    client_address: str,
    *,
    settings: SecuritySettings,
    now: datetime | None = None,
) -> PendingSignIn:
    """Check a password; on success open a session awaiting its second factor."""
    now = now or utcnow()
    with factory.begin() as session:
        outcome = _password_step(
            session, username, password, client_address, settings, now
        )
    if isinstance(outcome, AccessDenied):
        raise outcome
    return outcome


def _password_step(
    session: Session,
    username: str,
    password: str,
    client_address: str,
    settings: SecuritySettings,
    now: datetime,
) -> PendingSignIn | AccessDenied:
    address = hash_client_address(client_address, settings.address_pepper)
    if _address_throttled(session, address, settings, now):
        return _refuse(session, None, address, "throttled", settings, now)

    account = session.scalar(
        select(Account).where(Account.username == normalise_username(username))
    )
    if account is None or account.disabled or _locked(account, now):
        verify_decoy(password)
        reason = "unknown" if account is None else "unavailable"
        return _refuse(session, account, address, reason, settings, now)

    if not verify_password(account.password_hash, password):
        return _refuse(session, account, address, "wrong-password", settings, now)

    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return _open_session(session, account, address, now)


def _open_session(
    session: Session, account: Account, address: str, now: datetime
) -> PendingSignIn:
    _clear_failures(account, now)
    token = secrets.token_urlsafe(32)
    auth = AuthSession(
        id=uuid.uuid4().hex,
        token_hash=_token_hash(token),
        account_id=account.id,
        created_at=now,
        last_seen_at=now,
        client_address_hash=address,
    )
    session.add(auth)

    step = _next_step(account)
    audit.record(
        session,
        actor=account,
        action=AuditEvent.SIGN_IN_PASSWORD,
        client_address_hash=address,
        details={"session_id": auth.id, "next_step": str(step)},
        now=now,
    )
    return PendingSignIn(
        token=token, session_id=auth.id, account_id=account.id, next_step=step
    )


def _next_step(account: Account) -> NextStep:
    if account.totp_confirmed_at is not None:
        return NextStep.SECOND_FACTOR
    if second_factor_required(account.role):
        return NextStep.ENROL_SECOND_FACTOR
    return NextStep.NONE


def verify_second_factor(
    factory: sessionmaker[Session],
    token: str,
    code: str,
    client_address: str,
    *,
    settings: SecuritySettings,
    now: datetime | None = None,
) -> None:
    """Accept a TOTP code or a single-use recovery code for this session.

    Also confirms a new enrolment, and refreshes the second factor of a session
    that is already signed in when a view asks for a recent one.
    """
    now = now or utcnow()
    with factory.begin() as session:
        outcome = _code_step(session, token, code, client_address, settings, now)
    if outcome is not None:
        raise outcome


def _code_step(
    session: Session,
    token: str,
    code: str,
    client_address: str,
    settings: SecuritySettings,
    now: datetime,
) -> AccessDenied | None:
    auth = _live_session(session, token, settings, now, pending_ok=True)
    account = auth.account
    address = hash_client_address(client_address, settings.address_pepper)
    if _locked(account, now):
        return _refuse(session, account, address, "unavailable", settings, now)

    method = check_code(account, code, settings, now)
    if method is None:
        return _refuse(session, account, address, "wrong-code", settings, now)

    if account.totp_confirmed_at is None:
        account.totp_confirmed_at = now
    auth.mfa_verified_at = now
    auth.last_seen_at = now
    _clear_failures(account, now)
    audit.record(
        session,
        actor=account,
        action=AuditEvent.SIGN_IN_SECOND_FACTOR,
        client_address_hash=address,
        details={
            "session_id": auth.id,
            "method": str(method),
            "recovery_codes_left": len(account.recovery_code_hashes),
        },
        now=now,
    )
    return None


def enrol_second_factor(
    session: Session,
    token: str,
    *,
    settings: SecuritySettings,
    now: datetime | None = None,
) -> Enrolment:
    """Start TOTP enrolment for a session's account that has no authenticator.

    The enrolment is confirmed by the first correct code sent to
    `verify_second_factor`. An account that already has a confirmed
    authenticator cannot enrol another this way: its administrator resets it.
    """
    now = now or utcnow()
    auth = _live_session(session, token, settings, now, pending_ok=True)
    account = auth.account
    if account.totp_confirmed_at is not None:
        raise Refused(
            "This account already has an authenticator. Ask your administrator "
            "to reset it if it is lost.",
            code="second-factor:enrolled",
        )

    enrolment = start_enrolment(account, settings)
    audit.record(
        session,
        actor=account,
        action=AuditEvent.SECOND_FACTOR_ENROL,
        details={
            "account_id": account.id,
            "recovery_codes": len(enrolment.recovery_codes),
        },
        now=now,
    )
    return enrolment


def authenticate(
    session: Session,
    token: str,
    *,
    settings: SecuritySettings,
    now: datetime | None = None,
) -> SignedIn:
    """The session and account behind a token, for one request; refreshes it."""
    now = now or utcnow()
    auth = _live_session(session, token, settings, now, pending_ok=False)
    auth.last_seen_at = now
    return SignedIn(account=auth.account, auth_session=auth)


def sign_out(session: Session, token: str, *, now: datetime | None = None) -> None:
    """End a session at the person's request; an unknown token is ignored."""
    now = now or utcnow()
    auth = session.scalar(
        select(AuthSession).where(AuthSession.token_hash == _token_hash(token))
    )
    if auth is None or auth.ended_at is not None:
        return
    auth.ended_at = now
    auth.end_reason = "signed-out"
    audit.record(
        session,
        actor=auth.account,
        action=AuditEvent.SESSION_END,
        details={"session_id": auth.id},
        now=now,
    )


def recent_second_factor(
    auth_session: AuthSession, *, within: timedelta, now: datetime | None = None
) -> bool:
    """Whether the session passed its second factor within the last `within`."""
    verified = auth_session.mfa_verified_at
    return verified is not None and (now or utcnow()) - verified <= within


def require_recent_second_factor(
    auth_session: AuthSession, *, within: timedelta, now: datetime | None = None
) -> None:
    """Refuse an identified-data view unless the second factor is recent."""
    if not recent_second_factor(auth_session, within=within, now=now):
        raise AccessDenied(
            "This page shows a student's identified records. Please confirm "
            "with your authenticator code to continue.",
            code="second-factor:stale",
        )


def _live_session(
    session: Session,
    token: str,
    settings: SecuritySettings,
    now: datetime,
    *,
    pending_ok: bool,
) -> AuthSession:
    auth = session.scalar(
        select(AuthSession).where(AuthSession.token_hash == _token_hash(token))
    )
    if auth is None or auth.ended_at is not None or auth.account.disabled:
        raise _ended()
    if now - auth.last_seen_at > settings.idle_timeout:
        raise _ended()
    if now - auth.created_at > settings.session_lifetime:
        raise _ended()

    if auth.mfa_verified_at is None and _needs_second_factor(auth.account):
        if not pending_ok:
            raise AccessDenied(
                "Please finish signing in with your authenticator code.",
                code="second-factor:required",
            )
        if now - auth.created_at > settings.pending_lifetime:
            raise _ended()
    return auth


def _needs_second_factor(account: Account) -> bool:
    confirmed = account.totp_confirmed_at is not None
    return confirmed or second_factor_required(account.role)


def _ended() -> SessionEnded:
    return SessionEnded(
        "Your session has ended. Please sign in again.", code="session:ended"
    )


def _refuse(
    session: Session,
    account: Account | None,
    address: str,
    reason: str,
    settings: SecuritySettings,
    now: datetime,
) -> AccessDenied:
    """Remember a failure, lock or throttle if it is one too many, and say no."""
    session.add(
        SignInFailure(
            account_id=None if account is None else account.id,
            client_address_hash=address,
            failed_at=now,
        )
    )
    session.flush()
    action = (
        AuditEvent.SIGN_IN_SECOND_FACTOR
        if reason == "wrong-code"
        else AuditEvent.SIGN_IN_PASSWORD
    )
    # The actor of a refused attempt is unknown: whoever typed the password
    # may not be the account's owner, so the account is named as a detail.
    details: dict[str, str] = {"reason": reason}
    if account is not None:
        details["account_id"] = account.id
    audit.record(
        session,
        actor=None,
        action=action,
        outcome=Outcome.DENY,
        client_address_hash=address,
        details=details,
        now=now,
    )
    log.info("sign_in.refused", reason=reason, address_hash=address[:16])

    if account is not None and reason in {"wrong-password", "wrong-code"}:
        _count_toward_lockout(session, account, address, settings, now)
    if _address_crossed_threshold(session, address, settings, now):
        return _throttle(session, address, settings, now)
    if reason == "throttled":
        return _throttled_error()
    return SignInRefused(
        _WRONG_CODE if reason == "wrong-code" else _WRONG, code="sign-in:refused"
    )


def _count_toward_lockout(
    session: Session,
    account: Account,
    address: str,
    settings: SecuritySettings,
    now: datetime,
) -> None:
    since = now - settings.lockout_window
    if account.failures_counted_from is not None:
        since = max(since, account.failures_counted_from)
    count = session.scalar(
        select(func.count())
        .select_from(SignInFailure)
        .where(SignInFailure.account_id == account.id, SignInFailure.failed_at > since)
    )
    account.failed_attempts = int(count or 0)
    if account.failed_attempts < settings.lockout_failures:
        return

    # Locking restarts the count, so that the failures that caused this lock
    # do not lock the account again the moment it opens.
    account.locked_until = now + settings.lockout_duration
    account.failures_counted_from = now
    audit.record(
        session,
        actor=None,
        action=AuditEvent.ACCOUNT_LOCKED,
        outcome=Outcome.DENY,
        client_address_hash=address,
        details={
            "account_id": account.id,
            "failures": account.failed_attempts,
            "minutes": int(settings.lockout_duration.total_seconds() // 60),
        },
        now=now,
    )
    log.warning("account.locked", account_id=account.id)


def _address_failures(
    session: Session, address: str, settings: SecuritySettings, now: datetime
) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(SignInFailure)
        .where(
            SignInFailure.client_address_hash == address,
            SignInFailure.failed_at > now - settings.address_window,
        )
    )
    return int(count or 0)


def _address_throttled(
    session: Session, address: str, settings: SecuritySettings, now: datetime
) -> bool:
    return (
        _address_failures(session, address, settings, now) >= settings.address_failures
    )


def _address_crossed_threshold(
    session: Session, address: str, settings: SecuritySettings, now: datetime
) -> bool:
    # Exactly at the threshold: the throttle event is written once per burst,
    # not once for every refused attempt after it.
    return (
        _address_failures(session, address, settings, now) == settings.address_failures
    )


def _throttle(
    session: Session, address: str, settings: SecuritySettings, now: datetime
) -> AccessDenied:
    audit.record(
        session,
        actor=None,
        action=AuditEvent.SIGN_IN_THROTTLED,
        outcome=Outcome.DENY,
        client_address_hash=address,
        details={
            "failures": settings.address_failures,
            "seconds": int(settings.address_window.total_seconds()),
        },
        now=now,
    )
    log.warning("sign_in.throttled", address_hash=address[:16])
    return _throttled_error()


def _throttled_error() -> SignInThrottled:
    return SignInThrottled(
        "Too many sign-in attempts came from your network just now. "
        "Wait a minute and try again.",
        code="sign-in:throttled",
    )


def _locked(account: Account, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


def _clear_failures(account: Account, now: datetime) -> None:
    account.failed_attempts = 0
    account.failures_counted_from = now
    account.locked_until = None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
