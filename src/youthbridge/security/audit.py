"""The tamper-evident audit log: one append-only chain of entries per node.

Each entry's hash covers a canonical serialisation of its fields and the hash of
the entry before it, so changing, removing or reordering an entry breaks the
chain where it happened, and `verify` names the sequence numbers. A one-row head
table holds the last sequence and hash: it serialises writers and lets `verify`
notice entries cut off the end. Entries never hold names, birth dates, addresses
or phone numbers; subjects appear only as pseudonyms and client addresses only
as keyed hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Integer, String, Text, event, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from youthbridge.domain.agreement import Purpose
from youthbridge.security.permissions import Actor, Permission, require
from youthbridge.security.timestamps import UTCDateTime
from youthbridge.storage.base import CommonBase, utcnow

GENESIS_HASH = "0" * 64
_HEAD_ID = 1

# Keys that suggest a detail holds personal data. The check is a guard against
# mistakes, not a proof: callers put identifiers and counts in details, nothing
# else.
_PERSONAL_KEY_PARTS = (
    "name",
    "birth",
    "dob",
    "address",
    "street",
    "phone",
    "email",
    "guardian",
    "password",
    "secret",
    "token",
)

JsonScalar = str | int | bool | None
Details = Mapping[str, JsonScalar | Sequence[JsonScalar]]


class AuditEvent(StrEnum):
    """Audited actions that are not themselves a permission being used."""

    ACCOUNT_CREATE = "account:create"
    ACCOUNT_DISABLE = "account:disable"
    ACCOUNT_UNLOCK = "account:unlock"
    ACCOUNT_LOCKED = "account:locked"
    ATTESTATION_ACCEPT = "attestation:accept"
    SIGN_IN_PASSWORD = "sign-in:password"  # noqa: S105 (an audit tag)
    SIGN_IN_SECOND_FACTOR = "sign-in:second-factor"
    SIGN_IN_THROTTLED = "sign-in:throttled"
    SECOND_FACTOR_ENROL = "second-factor:enrol"
    SECOND_FACTOR_RESET = "second-factor:reset"
    SESSION_END = "session:end"
    KEY_CREATE = "key:create"
    KEY_DESTROY = "key:destroy"
    KEY_ROTATE = "key:rotate"
    BREAKGLASS_DECIDE = "breakglass:decide"
    BREAKGLASS_USE = "breakglass:use"
    BREAKGLASS_ACKNOWLEDGE = "breakglass:acknowledge"


class Outcome(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class AuditEntry(CommonBase):
    """One audited action; never updated or deleted once written."""

    __tablename__ = "audit_entries"

    sequence: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_account_id: Mapped[str | None] = mapped_column(String(32), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(8))
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_address_hash: Mapped[str | None] = mapped_column(String(64))
    details_json: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def details(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.details_json)
        return parsed

    def canonical(self) -> str:
        """The exact text the entry's hash covers."""
        fields = {
            "sequence": self.sequence,
            "recorded_at": _canonical_time(self.recorded_at),
            "actor_account_id": self.actor_account_id,
            "actor_role": self.actor_role,
            "action": self.action,
            "purpose": self.purpose,
            "subject": self.subject,
            "outcome": self.outcome,
            "request_id": self.request_id,
            "client_address_hash": self.client_address_hash,
            "details": self.details_json,
        }
        return _canonical_json(fields)


class AuditHead(CommonBase):
    """The chain's last sequence and hash: one row, updated by every append."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


# The head row exists from the moment the table does, so that the first two
# writers never race to create it.
@event.listens_for(AuditHead.__table__, "after_create")
def _insert_head(_table: Any, connection: Connection, **_kw: Any) -> None:
    connection.execute(
        insert(AuditHead).values(id=_HEAD_ID, last_sequence=0, last_hash=GENESIS_HASH)
    )


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: Permission | AuditEvent,
    outcome: Outcome = Outcome.ALLOW,
    purpose: Purpose | None = None,
    subject: str | None = None,
    request_id: str | None = None,
    client_address_hash: str | None = None,
    details: Details | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction; `actor` None is the node."""
    details_json = _details_json(details or {})

    sequence, previous_hash = _claim_next(session)

    entry = AuditEntry(
        sequence=sequence,
        recorded_at=now or utcnow(),
        actor_account_id=None if actor is None else actor.id,
        actor_role=None if actor is None else str(actor.role),
        action=str(action),
        purpose=None if purpose is None else str(purpose),
        subject=subject,
        outcome=str(outcome),
        request_id=request_id,
        client_address_hash=client_address_hash,
        details_json=details_json,
        previous_hash=previous_hash,
    )
    entry.entry_hash = chain_hash(previous_hash, entry.canonical())
    session.add(entry)

    session.execute(
        update(AuditHead)
        .where(AuditHead.id == _HEAD_ID)
        .values(last_hash=entry.entry_hash)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return entry


def _claim_next(session: Session) -> tuple[int, str]:
    # Writing to the head row first takes its lock (a row lock on PostgreSQL,
    # the database write lock on SQLite) before anything is read, so a second
    # writer waits here until the first commits and then sees its entry.
    # RETURNING gives the new sequence and the hash not yet replaced.
    claim = (
        update(AuditHead)
        .where(AuditHead.id == _HEAD_ID)
        .values(last_sequence=AuditHead.last_sequence + 1)
        .returning(AuditHead.last_sequence, AuditHead.last_hash)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(claim).one_or_none()
    if row is None:
        _create_head(session)
        row = session.execute(claim).one()
    return int(row[0]), str(row[1])


def _create_head(session: Session) -> None:
    # Only reached when the table was made without its DDL hook (e.g. by a
    # migration that forgot the row). Two first writers racing here meet the
    # primary key and one transaction fails; its caller retries.
    session.execute(
        insert(AuditHead).values(id=_HEAD_ID, last_sequence=0, last_hash=GENESIS_HASH)
    )


def chain_hash(previous_hash: str, canonical: str) -> str:
    """SHA-256 over the previous entry's hash and this entry's canonical text."""
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def hash_client_address(address: str, pepper: bytes) -> str:
    """A keyed hash of a client address: comparable, but not reversible by guessing.

    A plain hash of an IPv4 address is undone by trying all four billion; the
    key (from the node's settings) prevents that.
    """
    try:
        normal = ipaddress.ip_address(address.strip()).compressed
    except ValueError:
        normal = address.strip().lower()
    return hmac.new(pepper, normal.encode(), "sha256").hexdigest()


def list_entries(
    session: Session, *, actor: Actor, after_sequence: int = 0, limit: int = 100
) -> list[AuditEntry]:
    """Entries in order for an auditor's view, starting after a sequence."""
    require(actor, Permission.AUDIT_VIEW)
    query = (
        select(AuditEntry)
        .where(AuditEntry.sequence > after_sequence)
        .order_by(AuditEntry.sequence)
        .limit(min(limit, 1000))
    )
    return list(session.scalars(query))


def _details_json(details: Details) -> str:
    for key, value in details.items():
        lowered = key.lower()
        if any(part in lowered for part in _PERSONAL_KEY_PARTS):
            raise ValueError(f"audit detail `{key}` looks like personal data")
        values = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(item, str | int | bool | None) for item in values):
            raise ValueError(f"audit detail `{key}` must be plain values")
    return _canonical_json(dict(details))


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ChainProblem:
    """One place where the stored chain is not what was written."""

    sequence: int
    kind: str  # altered, missing, broken-link, truncated
    message: str


@dataclass(frozen=True)
class VerifyReport:
    """What `verify` found: how many entries it checked and what was wrong."""

    checked: int
    last_sequence: int
    # the last entry's hash: publish it elsewhere to anchor the chain
    last_hash: str
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def named(self) -> list[int]:
        """The sequence numbers of every entry found altered, missing or moved."""
        return sorted({problem.sequence for problem in self.problems})


def verify(session: Session) -> VerifyReport:
    """Walk the whole chain and report every entry that breaks it."""
    walk = _ChainWalk()
    for entry in _entries_in_order(session):
        walk.check(entry)

    head = session.get(AuditHead, _HEAD_ID)
    if head is not None:
        walk.check_head(head)
    return VerifyReport(
        checked=walk.checked,
        last_sequence=walk.expected_sequence - 1,
        last_hash=walk.previous_hash,
        problems=tuple(walk.problems),
    )


def _entries_in_order(session: Session) -> Iterator[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.sequence)
    yield from session.scalars(query.execution_options(yield_per=500))


class _ChainWalk:
    """The state of one pass over the chain, entry by entry."""

    def __init__(self) -> None:
        self.checked = 0
        self.expected_sequence = 1
        self.previous_hash = GENESIS_HASH
        self.previous_flagged = False
        self.problems: list[ChainProblem] = []

    def check(self, entry: AuditEntry) -> None:
        gap = self._report_gap(entry.sequence)

        altered = chain_hash(entry.previous_hash, entry.canonical()) != entry.entry_hash
        if altered:
            self._add(entry.sequence, "altered", "its stored fields were changed")
        elif entry.previous_hash != self.previous_hash and not (
            gap or self.previous_flagged
        ):
            # The entry itself is intact, but the one stored before it is not
            # the one it was chained to: that one was replaced or moved.
            self._add(
                entry.sequence,
                "broken-link",
                f"it does not follow entry {entry.sequence - 1} as written; "
                "that entry was replaced or the order was changed",
            )

        self.checked += 1
        self.previous_flagged = altered
        self.previous_hash = entry.entry_hash
        self.expected_sequence = entry.sequence + 1

    def check_head(self, head: AuditHead) -> None:
        last = self.expected_sequence - 1
        for sequence in range(last + 1, head.last_sequence + 1):
            self._add(sequence, "truncated", "it was removed from the end")
        if head.last_sequence < last:
            self._add(last, "altered", "it is later than the chain's recorded end")
        elif head.last_sequence == last and head.last_hash != self.previous_hash:
            self._add(last, "altered", "it is not the last entry as written")

    def _report_gap(self, sequence: int) -> bool:
        for missing in range(self.expected_sequence, sequence):
            self._add(missing, "missing", "it was removed")
        return sequence > self.expected_sequence

    def _add(self, sequence: int, kind: str, why: str) -> None:
        message = f"audit entry {sequence}: {why}"
        self.problems.append(
            ChainProblem(sequence=sequence, kind=kind, message=message)
        )
