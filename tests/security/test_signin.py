"""Signing in: password, second factor, lockout, throttling, expiry, disabling."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.security.conftest import OFFICE, PASSWORD, T0, Staff
from youthbridge.domain.errors import AccessDenied, Refused
from youthbridge.security import accounts, signin
from youthbridge.security.accounts import Account, AuthSession, DisableReason
from youthbridge.security.audit import AuditEntry
from youthbridge.security.permissions import Role
from youthbridge.security.settings import SecuritySettings
from youthbridge.security.signin import (
    NextStep,
    SessionEnded,
    SignInRefused,
    SignInThrottled,
)


def _actions(factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    with factory() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.sequence))
        return [(entry.action, entry.outcome) for entry in entries]


def _sign_in(staff: Staff, username: str, password: str, minute: float = 0) -> NextStep:
    pending = signin.begin_sign_in(
        staff.factory,
        username,
        password,
        OFFICE,
        settings=staff.settings,
        now=T0 + timedelta(minutes=minute),
    )
    return pending.next_step


def test_a_hub_case_manager_enrols_then_signs_in_with_a_code(staff: Staff) -> None:
    case_manager = staff.add(Role.CASE_MANAGER, "hub.case.manager")
    assert _sign_in(staff, "hub.case.manager", PASSWORD) is NextStep.ENROL_SECOND_FACTOR

    _token, totp = staff.enrolled(case_manager)
    later = T0 + timedelta(hours=1)
    pending = signin.begin_sign_in(
        staff.factory,
        "Hub.Case.Manager ",
        PASSWORD,
        OFFICE,
        settings=staff.settings,
        now=later,
    )
    assert pending.next_step is NextStep.SECOND_FACTOR

    with staff.factory() as session, pytest.raises(AccessDenied) as early:
        signin.authenticate(session, pending.token, settings=staff.settings, now=later)
    assert early.value.code == "second-factor:required"

    signin.verify_second_factor(
        staff.factory,
        pending.token,
        totp.at(later),
        OFFICE,
        settings=staff.settings,
        now=later,
    )
    with staff.factory.begin() as session:
        signed_in = signin.authenticate(
            session, pending.token, settings=staff.settings, now=later
        )
        assert signed_in.account.id == case_manager.id


def test_an_analyst_without_identified_data_needs_no_second_factor(
    staff: Staff,
) -> None:
    staff.add(Role.ANALYST, "hub.analyst")
    pending = signin.begin_sign_in(
        staff.factory, "hub.analyst", PASSWORD, OFFICE, settings=staff.settings, now=T0
    )
    assert pending.next_step is NextStep.NONE
    with staff.factory.begin() as session:
        signin.authenticate(session, pending.token, settings=staff.settings, now=T0)


def test_a_totp_code_works_only_once(staff: Staff) -> None:
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    _token, totp = staff.enrolled(counselor)
    code = totp.at(T0)

    pending = signin.begin_sign_in(
        staff.factory,
        "district.counselor",
        PASSWORD,
        OFFICE,
        settings=staff.settings,
        now=T0,
    )
    with pytest.raises(SignInRefused):
        signin.verify_second_factor(
            staff.factory, pending.token, code, OFFICE, settings=staff.settings, now=T0
        )


def test_a_recovery_code_works_once(staff: Staff) -> None:
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    pending = signin.begin_sign_in(
        staff.factory,
        "district.counselor",
        PASSWORD,
        OFFICE,
        settings=staff.settings,
        now=T0,
    )
    with staff.factory.begin() as session:
        enrolment = signin.enrol_second_factor(
            session, pending.token, settings=staff.settings, now=T0
        )
    totp = pyotp.TOTP(enrolment.secret)
    signin.verify_second_factor(
        staff.factory,
        pending.token,
        totp.at(T0),
        OFFICE,
        settings=staff.settings,
        now=T0,
    )
    recovery = enrolment.recovery_codes[0].lower()

    for attempt in range(2):
        pending = signin.begin_sign_in(
            staff.factory,
            "district.counselor",
            PASSWORD,
            OFFICE,
            settings=staff.settings,
            now=T0,
        )
        if attempt == 0:
            signin.verify_second_factor(
                staff.factory,
                pending.token,
                recovery,
                OFFICE,
                settings=staff.settings,
                now=T0,
            )
        else:
            with pytest.raises(SignInRefused):
                signin.verify_second_factor(
                    staff.factory,
                    pending.token,
                    recovery,
                    OFFICE,
                    settings=staff.settings,
                    now=T0,
                )
    with staff.factory() as session:
        stored = session.get_one(Account, counselor.id)
        assert len(stored.recovery_code_hashes) == 9
        assert enrolment.secret.encode() not in (stored.totp_secret_sealed or b"")


def test_an_enrolled_account_cannot_enrol_again_with_only_its_password(
    staff: Staff,
) -> None:
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    staff.enrolled(counselor)
    pending = signin.begin_sign_in(
        staff.factory,
        "district.counselor",
        PASSWORD,
        OFFICE,
        settings=staff.settings,
        now=T0,
    )
    with staff.factory() as session, pytest.raises(Refused) as refusal:
        signin.enrol_second_factor(
            session, pending.token, settings=staff.settings, now=T0
        )
    assert refusal.value.code == "second-factor:enrolled"


def test_five_wrong_passwords_in_fifteen_minutes_lock_the_account(staff: Staff) -> None:
    staff.add(Role.CASE_MANAGER, "hub.case.manager")
    for minute in (0, 3, 6, 9, 12):
        with pytest.raises(SignInRefused):
            _sign_in(staff, "hub.case.manager", "wrong password guess", minute)

    # Locked: even the right password is refused, with the same words.
    with pytest.raises(SignInRefused) as refusal:
        _sign_in(staff, "hub.case.manager", PASSWORD, 13)
    assert str(refusal.value).startswith("The username or password is not right")

    assert ("account:locked", "deny") in _actions(staff.factory)
    with staff.factory() as session:
        locked = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "account:locked")
        ).one()
        assert locked.details["failures"] == 5

    # Fifteen minutes after the lock, the right password works again.
    assert _sign_in(staff, "hub.case.manager", PASSWORD, 27.5) is not None


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(
    staff: Staff,
) -> None:
    staff.add(Role.CASE_MANAGER, "hub.case.manager")
    for minute in (0, 5, 10, 16, 21):
        with pytest.raises(SignInRefused):
            _sign_in(staff, "hub.case.manager", "wrong password guess", minute)
    _sign_in(staff, "hub.case.manager", PASSWORD, 22)
    assert "account:locked" not in {action for action, _ in _actions(staff.factory)}


def test_ten_wrong_passwords_in_a_minute_throttle_the_address(staff: Staff) -> None:
    staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    refusals: list[str] = []
    for second in range(10):
        with pytest.raises(AccessDenied) as refusal:
            _sign_in(staff, f"guess{second}.user", "wrong password guess", second / 60)
        refusals.append(refusal.value.code)

    assert refusals == ["sign-in:refused"] * 9 + ["sign-in:throttled"]
    # The address is throttled: a real person at it waits out the minute too.
    with pytest.raises(SignInThrottled):
        _sign_in(staff, "district.counselor", PASSWORD, 0.5)
    _sign_in(staff, "district.counselor", PASSWORD, 1.5)

    actions = _actions(staff.factory)
    assert actions.count(("sign-in:throttled", "deny")) == 1
    assert actions.count(("sign-in:password", "deny")) == 11


def test_unknown_usernames_never_reach_the_audit_log(staff: Staff) -> None:
    with pytest.raises(SignInRefused):
        _sign_in(staff, "someone.typed.their.password.here", "wrong password guess")
    with staff.factory() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert "someone" not in entry.canonical()
    assert entry.details == {"reason": "unknown"}


def test_a_session_ends_after_thirty_idle_minutes(staff: Staff) -> None:
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    token, _totp = staff.enrolled(counselor)

    with staff.factory.begin() as session:
        signin.authenticate(
            session, token, settings=staff.settings, now=T0 + timedelta(minutes=29)
        )
    with staff.factory.begin() as session:
        signin.authenticate(
            session, token, settings=staff.settings, now=T0 + timedelta(minutes=58)
        )
    with staff.factory() as session, pytest.raises(SessionEnded):
        signin.authenticate(
            session, token, settings=staff.settings, now=T0 + timedelta(minutes=89)
        )


def test_the_idle_limit_is_a_setting(staff: Staff, settings: SecuritySettings) -> None:
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    token, _totp = staff.enrolled(counselor)
    strict = SecuritySettings(
        master_key=settings.master_key, idle_timeout=timedelta(minutes=5)
    )
    with staff.factory() as session, pytest.raises(SessionEnded):
        signin.authenticate(
            session, token, settings=strict, now=T0 + timedelta(minutes=6)
        )


def test_disabling_an_account_ends_its_sessions_at_once(staff: Staff) -> None:
    admin = staff.add(Role.DISTRICT_ADMIN, "district.admin")
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    token, _totp = staff.enrolled(counselor)

    with staff.factory.begin() as session:
        accounts.disable_account(
            session, counselor.id, actor=admin, reason=DisableReason.LEFT_ROLE
        )

    with staff.factory() as session:
        with pytest.raises(SessionEnded):
            signin.authenticate(session, token, settings=staff.settings, now=T0)
        ended = session.scalars(select(AuthSession)).one()
        assert ended.end_reason == "account-disabled"
    with pytest.raises(SignInRefused):
        _sign_in(staff, "district.counselor", PASSWORD, 1)
    assert ("account:disable", "allow") in _actions(staff.factory)


def test_identified_views_ask_for_a_recent_second_factor(staff: Staff) -> None:
    case_manager = staff.add(Role.CASE_MANAGER, "hub.case.manager")
    token, totp = staff.enrolled(case_manager)
    later = T0 + timedelta(minutes=20)

    with staff.factory.begin() as session:
        signed_in = signin.authenticate(
            session, token, settings=staff.settings, now=later
        )
        auth = signed_in.auth_session
        assert not signin.recent_second_factor(
            auth, within=staff.settings.second_factor_recent, now=later
        )
        with pytest.raises(AccessDenied) as stale:
            signin.require_recent_second_factor(
                auth, within=staff.settings.second_factor_recent, now=later
            )
    assert stale.value.code == "second-factor:stale"

    signin.verify_second_factor(
        staff.factory, token, totp.at(later), OFFICE, settings=staff.settings, now=later
    )
    with staff.factory() as session:
        auth = signin.authenticate(
            session, token, settings=staff.settings, now=later
        ).auth_session
        signin.require_recent_second_factor(
            auth, within=staff.settings.second_factor_recent, now=later
        )


def test_signing_out_ends_the_session(staff: Staff) -> None:
    staff.add(Role.ANALYST, "hub.analyst")
    pending = signin.begin_sign_in(
        staff.factory, "hub.analyst", PASSWORD, OFFICE, settings=staff.settings, now=T0
    )
    with staff.factory.begin() as session:
        signin.sign_out(session, pending.token, now=T0)
    with staff.factory() as session, pytest.raises(SessionEnded):
        signin.authenticate(session, pending.token, settings=staff.settings, now=T0)


def _wrong_code(totp: pyotp.TOTP) -> str:
    """A six-digit code that no nearby time step accepts."""
    valid = {totp.at(T0 + timedelta(seconds=30 * step)) for step in range(-2, 3)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def test_five_wrong_codes_lock_the_account_too(staff: Staff) -> None:
    case_manager = staff.add(Role.CASE_MANAGER, "hub.case.manager")
    _token, totp = staff.enrolled(case_manager)
    pending = signin.begin_sign_in(
        staff.factory,
        "hub.case.manager",
        PASSWORD,
        OFFICE,
        settings=staff.settings,
        now=T0,
    )
    for second in range(1, 6):
        with pytest.raises(SignInRefused):
            signin.verify_second_factor(
                staff.factory,
                pending.token,
                _wrong_code(totp),
                OFFICE,
                settings=staff.settings,
                now=T0 + timedelta(seconds=second),
            )

    # Even the right code is refused while the account is locked.
    later = T0 + timedelta(minutes=1)
    with pytest.raises(SignInRefused):
        signin.verify_second_factor(
            staff.factory,
            pending.token,
            totp.at(later),
            OFFICE,
            settings=staff.settings,
            now=later,
        )
    assert ("account:locked", "deny") in _actions(staff.factory)


def test_an_administrator_unlocks_an_account_early(staff: Staff) -> None:
    admin = staff.add(Role.HUB_ADMIN, "hub.admin")
    case_manager = staff.add(Role.CASE_MANAGER, "hub.case.manager")
    for minute in range(5):
        with pytest.raises(SignInRefused):
            _sign_in(staff, "hub.case.manager", "wrong password guess", minute)

    with staff.factory.begin() as session:
        accounts.unlock_account(session, case_manager.id, actor=admin)

    assert (
        _sign_in(staff, "hub.case.manager", PASSWORD, 6) is NextStep.ENROL_SECOND_FACTOR
    )


def test_a_reset_authenticator_is_enrolled_again(staff: Staff) -> None:
    admin = staff.add(Role.DISTRICT_ADMIN, "district.admin")
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    token, _totp = staff.enrolled(counselor)

    with staff.factory.begin() as session:
        accounts.reset_second_factor(session, counselor.id, actor=admin)

    with staff.factory() as session, pytest.raises(SessionEnded):
        signin.authenticate(session, token, settings=staff.settings, now=T0)
    assert (
        _sign_in(staff, "district.counselor", PASSWORD, 1)
        is NextStep.ENROL_SECOND_FACTOR
    )
