"""The audit chain: every append is linked, and every kind of tampering is named."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.security.conftest import Staff
from youthbridge.domain.agreement import Purpose
from youthbridge.domain.errors import AccessDenied
from youthbridge.security import audit
from youthbridge.security.accounts import Account
from youthbridge.security.audit import AuditEntry, AuditEvent, Outcome
from youthbridge.security.permissions import Permission, Role
from youthbridge.security.settings import SecuritySettings


@pytest.fixture
def case_manager(staff: Staff) -> Account:
    return staff.add(Role.CASE_MANAGER, "hub.case.manager")


def _write_five(factory: sessionmaker[Session], actor: Account) -> None:
    with factory.begin() as session:
        for number in range(5):
            audit.record(
                session,
                actor=actor,
                action=Permission.CASE_NOTE_ADD,
                purpose=Purpose.CASE_MANAGEMENT,
                subject=f"P-7F3K2{number}",
                request_id=f"req-{number}",
                details={"note_id": number},
            )


def test_an_entry_records_who_did_what_for_which_purpose(
    factory: sessionmaker[Session], case_manager: Account, settings: SecuritySettings
) -> None:
    address = audit.hash_client_address("203.0.113.9", settings.address_pepper)
    with factory.begin() as session:
        entry = audit.record(
            session,
            actor=case_manager,
            action=Permission.CASE_VIEW,
            purpose=Purpose.CASE_MANAGEMENT,
            subject="P-7F3K2Q",
            client_address_hash=address,
            details={"case_id": 12},
        )

    with factory() as session:
        stored = session.scalars(select(AuditEntry)).one()
    assert stored.sequence == entry.sequence == 1
    assert stored.action == "case:view"
    assert stored.actor_role == "case-manager"
    assert stored.purpose == "case-management"
    assert stored.outcome == "allow"
    assert stored.details == {"case_id": 12}
    assert stored.previous_hash == audit.GENESIS_HASH
    assert stored.recorded_at.tzinfo is not None
    assert stored.client_address_hash == address
    assert "203.0.113.9" not in stored.canonical()


def test_a_clean_chain_verifies(
    factory: sessionmaker[Session], case_manager: Account
) -> None:
    _write_five(factory, case_manager)
    with factory() as session:
        report = audit.verify(session)
    assert report.ok
    assert (report.checked, report.last_sequence) == (5, 5)


def test_one_changed_byte_names_that_entry(
    engine: Engine, factory: sessionmaker[Session], case_manager: Account
) -> None:
    _write_five(factory, case_manager)
    with engine.begin() as connection:
        stored = connection.execute(
            text("SELECT details_json FROM audit_entries WHERE sequence = 3")
        ).scalar_one()
        changed = stored.replace("2", "9", 1)
        assert len(changed) == len(stored)
        assert changed != stored
        connection.execute(
            text("UPDATE audit_entries SET details_json = :value WHERE sequence = 3"),
            {"value": changed},
        )

    with factory() as session:
        report = audit.verify(session)
    assert report.named == [3]
    assert report.problems[0].kind == "altered"
    assert report.problems[0].message == (
        "audit entry 3: its stored fields were changed"
    )


def test_a_deleted_entry_is_named(
    engine: Engine, factory: sessionmaker[Session], case_manager: Account
) -> None:
    _write_five(factory, case_manager)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entries WHERE sequence = 3"))

    with factory() as session:
        report = audit.verify(session)
    assert report.named == [3]
    assert [problem.kind for problem in report.problems] == ["missing"]


def test_a_deleted_last_entry_is_named(
    engine: Engine, factory: sessionmaker[Session], case_manager: Account
) -> None:
    _write_five(factory, case_manager)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entries WHERE sequence = 5"))

    with factory() as session:
        report = audit.verify(session)
    assert report.named == [5]
    assert report.problems[0].kind == "truncated"


def test_swapped_entries_are_both_named(
    engine: Engine, factory: sessionmaker[Session], case_manager: Account
) -> None:
    _write_five(factory, case_manager)
    swap = "UPDATE audit_entries SET sequence = :to WHERE sequence = :from"
    with engine.begin() as connection:
        connection.execute(text(swap), {"from": 2, "to": -2})
        connection.execute(text(swap), {"from": 3, "to": 2})
        connection.execute(text(swap), {"from": -2, "to": 3})

    with factory() as session:
        report = audit.verify(session)
    assert report.named == [2, 3]


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link(
    engine: Engine, factory: sessionmaker[Session], case_manager: Account
) -> None:
    _write_five(factory, case_manager)
    with factory.begin() as session:
        entry = session.get_one(AuditEntry, 3)
        entry.outcome = "deny"
        entry.entry_hash = audit.chain_hash(entry.previous_hash, entry.canonical())

    with factory() as session:
        report = audit.verify(session)
    assert report.named == [4]
    assert report.problems[0].kind == "broken-link"
    assert "entry 3" in report.problems[0].message


def test_a_rolled_back_transaction_leaves_no_gap(
    factory: sessionmaker[Session], case_manager: Account
) -> None:
    _write_five(factory, case_manager)
    with factory() as session:
        audit.record(session, actor=case_manager, action=Permission.CASE_VIEW)
        session.rollback()
    with factory.begin() as session:
        entry = audit.record(session, actor=None, action=AuditEvent.KEY_ROTATE)

    assert entry.sequence == 6
    with factory() as session:
        assert audit.verify(session).ok


def test_concurrent_writers_keep_one_unbroken_chain(
    factory: sessionmaker[Session], case_manager: Account
) -> None:
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(10):
                with factory.begin() as session:
                    audit.record(
                        session, actor=case_manager, action=Permission.CASE_VIEW
                    )
        except BaseException as error:  # surfaced in the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with factory() as session:
        report = audit.verify(session)
    assert report.ok
    assert report.checked == 40


@pytest.mark.parametrize("key", ["student_name", "birth_date", "home_address", "phone"])
def test_details_that_look_personal_are_refused(
    factory: sessionmaker[Session], key: str
) -> None:
    with factory() as session, pytest.raises(ValueError, match="personal data"):
        audit.record(
            session, actor=None, action=AuditEvent.KEY_ROTATE, details={key: "x"}
        )


def test_a_deny_is_recorded_as_such(
    factory: sessionmaker[Session], case_manager: Account
) -> None:
    with factory.begin() as session:
        entry = audit.record(
            session,
            actor=case_manager,
            action=Permission.CASE_VIEW,
            outcome=Outcome.DENY,
            subject="P-7F3K2Q",
        )
    assert entry.outcome == "deny"


def test_only_an_auditor_or_administrator_lists_entries(
    staff: Staff, factory: sessionmaker[Session], case_manager: Account
) -> None:
    _write_five(factory, case_manager)
    auditor = staff.add(Role.AUDITOR, "hub.auditor")

    with factory() as session:
        entries = audit.list_entries(session, actor=auditor, after_sequence=2)
        assert [entry.sequence for entry in entries] == [3, 4, 5]
        with pytest.raises(AccessDenied):
            audit.list_entries(session, actor=case_manager)
