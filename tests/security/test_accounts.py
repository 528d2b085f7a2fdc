"""Account administration: who may create and change accounts, and attestation."""

from __future__ import annotations

import pytest
from argon2 import Type
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.security.conftest import OFFICE, PASSWORD, Staff
from youthbridge.domain.errors import AccessDenied, Refused
from youthbridge.security import accounts, passwords, signin
from youthbridge.security.accounts import Account
from youthbridge.security.audit import AuditEntry
from youthbridge.security.permissions import Role


def test_the_first_account_on_a_node_is_its_administrator(
    factory: sessionmaker[Session],
) -> None:
    with factory.begin() as session:
        admin = accounts.create_account(
            session,
            actor=None,
            username="hub.admin",
            role=Role.HUB_ADMIN,
            password=PASSWORD,
        )
    with factory() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert entry.action == "account:create"
    assert entry.actor_account_id is None
    assert entry.details == {"account_id": admin.id, "role": "hub-admin"}


def test_without_an_administrator_no_other_account_can_be_made(
    factory: sessionmaker[Session], staff: Staff
) -> None:
    with factory() as session, pytest.raises(Refused) as refusal:
        accounts.create_account(
            session,
            actor=None,
            username="hub.case.manager",
            role=Role.CASE_MANAGER,
            password=PASSWORD,
        )
    assert refusal.value.code == "account:bootstrap"

    staff.add(Role.HUB_ADMIN, "hub.admin")
    with factory() as session, pytest.raises(AccessDenied):
        accounts.create_account(
            session,
            actor=None,
            username="second.admin",
            role=Role.HUB_ADMIN,
            password=PASSWORD,
        )


def test_a_hub_administrator_creates_a_case_manager(
    factory: sessionmaker[Session], staff: Staff
) -> None:
    admin = staff.add(Role.HUB_ADMIN, "hub.admin")
    with factory.begin() as session:
        made = accounts.create_account(
            session,
            actor=admin,
            username="Hub.Case.Manager",
            role=Role.CASE_MANAGER,
            password=PASSWORD,
            team="east",
        )
    assert made.username == "hub.case.manager"
    assert made.password_hash.startswith("$argon2id$")
    assert PASSWORD not in repr(made)


@pytest.mark.parametrize(
    ("role", "district", "code"),
    [
        (Role.SCHOOL_COUNSELOR, "D-0042", "access:denied"),
        (Role.CASE_MANAGER, "D-0042", "account:district"),
    ],
)
def test_a_hub_administrator_stays_on_the_hub_side(
    factory: sessionmaker[Session],
    staff: Staff,
    role: Role,
    district: str,
    code: str,
) -> None:
    admin = staff.add(Role.HUB_ADMIN, "hub.admin")
    with factory() as session, pytest.raises((AccessDenied, Refused)) as refusal:
        accounts.create_account(
            session,
            actor=admin,
            username="new.person",
            role=role,
            password=PASSWORD,
            district_code=district,
        )
    assert refusal.value.code == code


def test_a_district_administrator_manages_only_their_own_district(
    factory: sessionmaker[Session], staff: Staff
) -> None:
    admin = staff.add(Role.DISTRICT_ADMIN, "district.admin", district_code="D-0042")
    with factory() as session, pytest.raises(AccessDenied) as refusal:
        accounts.create_account(
            session,
            actor=admin,
            username="district.counselor",
            role=Role.SCHOOL_COUNSELOR,
            password=PASSWORD,
            district_code="D-0077",
        )
    assert "own district" in str(refusal.value)


def test_a_district_counselor_cannot_create_accounts(
    factory: sessionmaker[Session], staff: Staff
) -> None:
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    with factory() as session, pytest.raises(AccessDenied):
        accounts.create_account(
            session,
            actor=counselor,
            username="friend.counselor",
            role=Role.SCHOOL_COUNSELOR,
            password=PASSWORD,
            district_code="D-0042",
        )


@pytest.mark.parametrize(
    ("password", "code"),
    [("short pass", "password:short"), ("district.counselor", "password:username")],
)
def test_weak_passwords_are_refused(
    factory: sessionmaker[Session], staff: Staff, password: str, code: str
) -> None:
    admin = staff.add(Role.DISTRICT_ADMIN, "district.admin")
    with factory() as session, pytest.raises(Refused) as refusal:
        accounts.create_account(
            session,
            actor=admin,
            username="district.counselor",
            role=Role.SCHOOL_COUNSELOR,
            password=password,
            district_code="D-0042",
        )
    assert refusal.value.code == code


def test_the_attestation_is_asked_again_for_each_new_version(
    factory: sessionmaker[Session], staff: Staff
) -> None:
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    with pytest.raises(AccessDenied) as refusal:
        accounts.require_attestation(counselor, "2025-1")
    assert refusal.value.code == "attestation:required"

    with factory.begin() as session:
        person = session.get_one(Account, counselor.id)
        accounts.accept_attestation(session, actor=person, version="2025-1")
    with factory() as session:
        person = session.get_one(Account, counselor.id)
        accounts.require_attestation(person, "2025-1")
        with pytest.raises(AccessDenied):
            accounts.require_attestation(person, "2025-2")


def test_passwords_are_hashed_with_argon2id_at_production_strength() -> None:
    production = passwords.production_hasher()
    assert production.type is Type.ID
    # OWASP's floor for Argon2id is 19 MiB and two passes.
    assert production.memory_cost >= 19 * 1024
    assert production.time_cost >= 2

    stored = production.hash(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, PASSWORD)
    assert not passwords.verify_password(stored, "wrong password guess")
    assert not passwords.verify_password("not a hash", PASSWORD)


def test_a_weaker_hash_is_upgraded_at_the_next_sign_in(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyst = staff.add(Role.ANALYST, "hub.analyst")  # hashed at test strength
    monkeypatch.setattr(passwords, "_HASHER", passwords.production_hasher())

    signin.begin_sign_in(
        staff.factory, "hub.analyst", PASSWORD, OFFICE, settings=staff.settings
    )

    with staff.factory() as session:
        upgraded = session.get_one(Account, analyst.id).password_hash
    assert upgraded != analyst.password_hash
    assert not passwords.needs_rehash(upgraded)
