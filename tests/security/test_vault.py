"""Envelope encryption and crypto-shredding, including backups taken before."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.orm import Session, sessionmaker

from tests.security.conftest import OFFICE, PASSWORD, T0, Staff
from youthbridge.domain.errors import AccessDenied
from youthbridge.security import signin
from youthbridge.security.audit import AuditEntry
from youthbridge.security.keys import FileSecretStore, KeyUnavailable, MasterKey
from youthbridge.security.permissions import Role
from youthbridge.security.settings import SecuritySettings
from youthbridge.security.vault import (
    DestructionReason,
    StudentKey,
    Vault,
    rotate_master,
)
from youthbridge.storage.base import CommonBase
from youthbridge.storage.database import make_engine, session_factory

# A stand-in for the hub's case file: only ciphertext is stored.
NOTES = MetaData()
case_notes = Table(
    "case_notes",
    NOTES,
    Column("id", Integer, primary_key=True),
    Column("subject", String(64)),
    Column("body", LargeBinary),
)

KEYS = CommonBase.metadata.tables[StudentKey.__tablename__]

AMARA = "P-4Q7ZKX"  # pseudonyms of two synthetic students
BODHI = "P-9M2TRW"


@pytest.fixture
def vault(tmp_path: Path, settings: SecuritySettings) -> Vault:
    # The key store is its own folder, never inside the database or its backups.
    return Vault(settings.master_key, FileSecretStore(tmp_path / "key-store"))


@pytest.fixture
def notes(engine: Engine) -> Engine:
    NOTES.create_all(engine)
    return engine


def _aad(note_id: int) -> bytes:
    return f"case-note:{note_id}".encode()


def _write_notes(factory: sessionmaker[Session], vault: Vault) -> None:
    texts = {
        1: (AMARA, b"Met with family; agreed to tutoring referral."),
        2: (AMARA, b"Tutoring started Tuesday."),
        3: (BODHI, b"Mentoring match made."),
    }
    with factory.begin() as session:
        for note_id, (subject, text) in texts.items():
            body = vault.encrypt(session, subject, text, _aad(note_id))
            session.execute(
                insert(case_notes).values(id=note_id, subject=subject, body=body)
            )


def _read_note(factory: sessionmaker[Session], vault: Vault, note_id: int) -> bytes:
    with factory() as session:
        row = session.execute(
            select(case_notes).where(case_notes.c.id == note_id)
        ).one()
        return vault.decrypt(session, row.subject, row.body, _aad(note_id))


def _dump(engine: Engine) -> dict[str, list[dict[str, object]]]:
    """A logical backup of the two tables that matter, as pg_dump would hold."""
    with engine.connect() as connection:
        return {
            table.name: [
                dict(row._mapping) for row in connection.execute(select(table))
            ]
            for table in (KEYS, case_notes)
        }


def _restore(url: str, dump: dict[str, list[dict[str, object]]]) -> Engine:
    engine = make_engine(url)
    CommonBase.metadata.create_all(engine)
    NOTES.create_all(engine)
    with engine.begin() as connection:
        for table in (KEYS, case_notes):
            connection.execute(insert(table), dump[table.name])
    return engine


def test_records_round_trip_and_the_database_holds_only_ciphertext(
    notes: Engine, factory: sessionmaker[Session], vault: Vault
) -> None:
    _write_notes(factory, vault)

    assert _read_note(factory, vault, 2) == b"Tutoring started Tuesday."
    dump = _dump(notes)
    everything = repr(dump).encode()
    assert b"Tutoring" not in everything
    assert len(dump["student_keys"]) == 2


def test_a_record_cannot_be_moved_to_another_note_or_student(
    notes: Engine, factory: sessionmaker[Session], vault: Vault
) -> None:
    _write_notes(factory, vault)
    with factory() as session:
        body = session.execute(select(case_notes.c.body).where(case_notes.c.id == 1))
        sealed = body.scalar_one()
        with pytest.raises(KeyUnavailable):
            vault.decrypt(session, AMARA, sealed, _aad(2))
        with pytest.raises(KeyUnavailable):
            vault.decrypt(session, BODHI, sealed, _aad(1))


def test_a_destroyed_key_leaves_nothing_readable_live_or_in_an_earlier_backup(
    notes: Engine,
    factory: sessionmaker[Session],
    vault: Vault,
    staff: Staff,
    database_url: Callable[[str], str],
) -> None:
    _write_notes(factory, vault)
    backup = _dump(notes)
    supervisor = staff.add(Role.SUPERVISOR, "hub.supervisor")

    with factory.begin() as session:
        certificate = vault.destroy(
            session, AMARA, actor=supervisor, reason=DestructionReason.CONSENT_REVOKED
        )

    # Live database: Amara's notes are unreadable, Bodhi's are untouched.
    for note_id in (1, 2):
        with pytest.raises(KeyUnavailable) as refusal:
            _read_note(factory, vault, note_id)
        assert refusal.value.code == "key:destroyed"
    assert _read_note(factory, vault, 3) == b"Mentoring match made."

    # The backup still holds Amara's wrapped key and ciphertext, and the same
    # master key: restored, it reads nothing of Amara's.
    backed_up = next(row for row in backup["student_keys"] if row["subject"] == AMARA)
    assert backed_up["wrapped_key"] is not None
    restored_engine = _restore(database_url("restored"), backup)
    restored = session_factory(restored_engine)
    try:
        for note_id in (1, 2):
            with pytest.raises(KeyUnavailable):
                _read_note(restored, vault, note_id)
        assert _read_note(restored, vault, 3) == b"Mentoring match made."
    finally:
        restored_engine.dispose()

    # The certificate names exactly the wrapped key the backup holds.
    assert certificate.subject == AMARA
    assert certificate.key_id == backed_up["key_id"]
    wrapped = backed_up["wrapped_key"]
    assert isinstance(wrapped, bytes)
    assert certificate.wrapped_key_sha256 == hashlib.sha256(wrapped).hexdigest()
    assert certificate.reason is DestructionReason.CONSENT_REVOKED
    store = vault.secrets
    assert isinstance(store, FileSecretStore)
    assert not (store.folder / f"{certificate.key_id}.key").exists()


def test_a_file_copy_of_the_database_taken_before_is_unreadable_too(
    notes: Engine,
    factory: sessionmaker[Session],
    vault: Vault,
    tmp_path: Path,
) -> None:
    if notes.url.get_backend_name() != "sqlite":
        pytest.skip("a file copy is how a SQLite node is backed up")
    _write_notes(factory, vault)
    copy = tmp_path / "backup.sqlite"
    with (
        sqlite3.connect(str(notes.url.database)) as live,
        sqlite3.connect(copy) as target,
    ):
        live.backup(target)

    with factory.begin() as session:
        vault.destroy(
            session, AMARA, actor=None, reason=DestructionReason.RETENTION_ENDED
        )

    copy_engine = make_engine(f"sqlite:///{copy}")
    try:
        with pytest.raises(KeyUnavailable):
            _read_note(session_factory(copy_engine), vault, 1)
    finally:
        copy_engine.dispose()


def test_destruction_is_audited_without_the_record(
    notes: Engine, factory: sessionmaker[Session], vault: Vault
) -> None:
    _write_notes(factory, vault)
    with factory.begin() as session:
        certificate = vault.destroy(
            session, AMARA, actor=None, reason=DestructionReason.CONSENT_EXPIRED
        )
    with factory() as session:
        entry = session.get_one(AuditEntry, certificate.audit_sequence)
    assert entry.action == "key:destroy"
    assert entry.subject == AMARA
    assert entry.details["sha256"] == certificate.wrapped_key_sha256


def test_a_hub_case_manager_cannot_destroy_a_key(
    notes: Engine, factory: sessionmaker[Session], vault: Vault, staff: Staff
) -> None:
    _write_notes(factory, vault)
    case_manager = staff.add(Role.CASE_MANAGER, "hub.case.manager")
    with factory() as session, pytest.raises(AccessDenied):
        vault.destroy(
            session, AMARA, actor=case_manager, reason=DestructionReason.FAMILY_REQUEST
        )


def test_a_student_consenting_again_gets_a_new_key(
    notes: Engine, factory: sessionmaker[Session], vault: Vault
) -> None:
    _write_notes(factory, vault)
    with factory.begin() as session:
        vault.destroy(
            session, AMARA, actor=None, reason=DestructionReason.CONSENT_REVOKED
        )
        sealed = vault.encrypt(session, AMARA, b"New referral.", _aad(9))
    with factory() as session:
        assert vault.decrypt(session, AMARA, sealed, _aad(9)) == b"New referral."


def test_rotating_the_master_key_rewraps_keys_and_leaves_records_alone(
    notes: Engine,
    factory: sessionmaker[Session],
    vault: Vault,
    staff: Staff,
    settings: SecuritySettings,
) -> None:
    _write_notes(factory, vault)
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    _token, totp = staff.enrolled(counselor)
    before = _dump(notes)
    new_master = MasterKey.generate()
    admin = staff.add(Role.HUB_ADMIN, "hub.admin")

    with factory.begin() as session:
        report = rotate_master(
            session, settings.master_key, new_master, secrets=vault.secrets, actor=admin
        )

    assert (report.student_keys, report.second_factor_secrets) == (2, 1)
    after = _dump(notes)
    assert after["case_notes"] == before["case_notes"]
    assert after["student_keys"] != before["student_keys"]

    rotated = Vault(new_master, vault.secrets)
    assert _read_note(factory, rotated, 1).startswith(b"Met with family")
    with pytest.raises(KeyUnavailable):
        _read_note(factory, vault, 1)

    # The counselor's authenticator still works under the new master key.
    new_settings = SecuritySettings(master_key=new_master)
    pending = signin.begin_sign_in(
        factory, "district.counselor", PASSWORD, OFFICE, settings=new_settings, now=T0
    )
    later = T0.replace(minute=5)
    signin.verify_second_factor(
        factory, pending.token, totp.at(later), OFFICE, settings=new_settings, now=later
    )
