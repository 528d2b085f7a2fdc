"""Envelope encryption of identified records, one data key per student.

A student's records are sealed with AES-256-GCM under that student's data key.
The data key is stored only wrapped, under a key derived from the master key
together with a per-student secret that lives in a key store outside the
database. Destroying a student's key destroys that secret: every wrapped copy of
the data key, including those in database backups taken before, can no longer
be unwrapped, so the ciphertext in the backups is unreadable too.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from youthbridge.domain.errors import NotFound
from youthbridge.security import audit, secondfactor
from youthbridge.security.audit import AuditEvent
from youthbridge.security.keys import (
    KEY_BYTES,
    KeyUnavailable,
    MasterKey,
    SubjectSecretStore,
    fingerprint,
    open_sealed,
    seal,
)
from youthbridge.security.permissions import Actor, Permission, require
from youthbridge.security.timestamps import UTCDateTime
from youthbridge.storage.base import CommonBase, utcnow

_FORMAT = b"\x01"
_KEY_ID_BYTES = 16
_WRAP_PURPOSE = "student-key-wrap"


class StudentKey(CommonBase):
    """A student's data key, wrapped; after destruction only its record remains."""

    __tablename__ = "student_keys"
    __table_args__ = (
        # One live key per student; a destroyed key's row stays as evidence.
        Index(
            "uq_student_keys_live_subject",
            "subject",
            unique=True,
            sqlite_where=text("destroyed_at IS NULL"),
            postgresql_where=text("destroyed_at IS NULL"),
        ),
    )

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    master_key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    destroy_reason: Mapped[str | None] = mapped_column(String(32))


class DestructionReason(StrEnum):
    CONSENT_REVOKED = "consent-revoked"
    CONSENT_EXPIRED = "consent-expired"
    RETENTION_ENDED = "retention-ended"
    FAMILY_REQUEST = "family-request"


@dataclass(frozen=True)
class DestructionCertificate:
    """Evidence that a student's data key was destroyed, for the district."""

    subject: str
    destroyed_at: datetime
    destroyed: str
    key_id: str
    wrapped_key_sha256: str
    master_key_id: str
    reason: DestructionReason
    audit_sequence: int


@dataclass(frozen=True)
class RotationReport:
    old_master_key_id: str
    new_master_key_id: str
    student_keys: int
    second_factor_secrets: int


@dataclass(frozen=True)
class Vault:
    """The keys one node holds: its master key and its subject-secret store."""

    master_key: MasterKey
    secrets: SubjectSecretStore

    def encrypt(
        self, session: Session, subject: str, plaintext: bytes, aad: bytes
    ) -> bytes:
        """Seal a record for a student, making the student's key if needed.

        `aad` names what the record is (e.g. b"case-note:41"): decrypting needs
        the same value, so ciphertext cannot be moved to another record.
        """
        key_id, data_key = self._data_key(session, subject, create=True)
        body = seal(data_key, plaintext, _record_aad(subject, aad))
        return _FORMAT + bytes.fromhex(key_id) + body

    def decrypt(
        self, session: Session, subject: str, ciphertext: bytes, aad: bytes
    ) -> bytes:
        """Open a sealed record; KeyUnavailable once the key was destroyed."""
        if ciphertext[:1] != _FORMAT:
            raise KeyUnavailable("This is not a sealed record.", code="key:format")
        key_id = ciphertext[1 : 1 + _KEY_ID_BYTES].hex()

        live_id, data_key = self._data_key(session, subject, create=False)
        if live_id != key_id:
            raise _destroyed()
        body = ciphertext[1 + _KEY_ID_BYTES :]
        return open_sealed(data_key, body, _record_aad(subject, aad))

    def destroy(
        self,
        session: Session,
        subject: str,
        *,
        actor: Actor | None,
        reason: DestructionReason,
    ) -> DestructionCertificate:
        """Crypto-shred a student's records; `actor` None is the node itself.

        NOTE: the subject secret is removed before the transaction commits. If
        the commit then fails, the key is gone while its row still looks live:
        the records are unreadable, which is what was asked for, and a retry
        completes the row.
        """
        if actor is not None:
            require(actor, Permission.RECORD_DESTROY)
        key = _live_key(session, subject)
        if key is None or key.wrapped_key is None:
            raise NotFound("This student has no live key.", code="key:missing")
        now = utcnow()
        digest = fingerprint(key.wrapped_key)

        self.secrets.destroy(key.key_id)
        key.wrapped_key = None
        key.destroyed_at = now
        key.destroy_reason = str(reason)

        entry = audit.record(
            session,
            actor=actor,
            action=AuditEvent.KEY_DESTROY,
            subject=subject,
            details={"key_id": key.key_id, "reason": str(reason), "sha256": digest},
            now=now,
        )
        return DestructionCertificate(
            subject=subject,
            destroyed_at=now,
            destroyed="the student's data key: its subject secret in the key store "
            "and its wrapped copy in the database",
            key_id=key.key_id,
            wrapped_key_sha256=digest,
            master_key_id=key.master_key_id,
            reason=reason,
            audit_sequence=entry.sequence,
        )

    def _data_key(
        self, session: Session, subject: str, *, create: bool
    ) -> tuple[str, bytes]:
        key = _live_key(session, subject)
        if key is None:
            if not create:
                raise _destroyed()
            return self._new_key(session, subject)
        if key.master_key_id != self.master_key.key_id:
            raise KeyUnavailable(
                "This record is wrapped under a different master key.",
                code="key:master",
            )
        assert key.wrapped_key is not None
        return key.key_id, _unwrap(self.master_key, self.secrets.get(key.key_id), key)

    def _new_key(self, session: Session, subject: str) -> tuple[str, bytes]:
        key_id = uuid.uuid4().hex
        secret = self.secrets.create(key_id)
        data_key = secrets.token_bytes(KEY_BYTES)
        wrapped = _wrap(self.master_key, secret, key_id, subject, data_key)
        row = StudentKey(
            key_id=key_id,
            subject=subject,
            wrapped_key=wrapped,
            master_key_id=self.master_key.key_id,
            created_at=utcnow(),
        )
        # NOTE: two writers making the same student's first key at once meet
        # the unique index and one transaction fails; its caller retries and
        # finds the other's key. No savepoint: SQLite's driver mishandles them.
        session.add(row)
        session.flush()

        audit.record(
            session,
            actor=None,
            action=AuditEvent.KEY_CREATE,
            subject=subject,
            details={"key_id": key_id},
        )
        return key_id, data_key


def rotate_master(
    session: Session,
    old: MasterKey,
    new: MasterKey,
    *,
    secrets: SubjectSecretStore,
    actor: Actor | None,
) -> RotationReport:
    """Re-wrap every data key and second-factor secret under a new master key.

    No record is re-encrypted: only the small wrapped keys change.
    """
    if actor is not None:
        require(actor, Permission.KEY_ROTATE)
    query = select(StudentKey).where(
        StudentKey.master_key_id == old.key_id, StudentKey.destroyed_at.is_(None)
    )
    count = 0
    for key in session.scalars(query):
        subject_secret = secrets.get(key.key_id)
        data_key = _unwrap(old, subject_secret, key)
        key.wrapped_key = _wrap(new, subject_secret, key.key_id, key.subject, data_key)
        key.master_key_id = new.key_id
        count += 1
    factors = secondfactor.rewrap_secrets(session, old, new)

    report = RotationReport(old.key_id, new.key_id, count, factors)
    audit.record(
        session,
        actor=actor,
        action=AuditEvent.KEY_ROTATE,
        details={
            "old_master_key_id": old.key_id,
            "new_master_key_id": new.key_id,
            "student_keys": count,
            "totp_rewrapped": factors,
        },
    )
    return report


def _live_key(session: Session, subject: str) -> StudentKey | None:
    return session.scalar(
        select(StudentKey).where(
            StudentKey.subject == subject, StudentKey.destroyed_at.is_(None)
        )
    )


def _wrap(
    master: MasterKey, secret: bytes, key_id: str, subject: str, data_key: bytes
) -> bytes:
    wrapping_key = master.derive(_WRAP_PURPOSE, salt=secret)
    return seal(wrapping_key, data_key, _wrap_aad(key_id, subject))


def _unwrap(master: MasterKey, secret: bytes, key: StudentKey) -> bytes:
    if key.wrapped_key is None:
        raise _destroyed()
    wrapping_key = master.derive(_WRAP_PURPOSE, salt=secret)
    return open_sealed(
        wrapping_key, key.wrapped_key, _wrap_aad(key.key_id, key.subject)
    )


def _wrap_aad(key_id: str, subject: str) -> bytes:
    return f"youthbridge:student-key:{key_id}:{subject}".encode()


def _record_aad(subject: str, aad: bytes) -> bytes:
    return f"youthbridge:record:{subject}:".encode() + aad


def _destroyed() -> KeyUnavailable:
    return KeyUnavailable(
        "This student's key has been destroyed; the record cannot be read.",
        code="key:destroyed",
    )
