"""Two nodes of one agreement, each with its own database and identity key.

The personas: the city hub `hub:city`, the Riverbend district `district:riverbend`
(district code RVB) and, for routes that must be refused, the Lakeside district.
A receiving node records what its `apply` did in a test table, written in the
same transaction as the inbox row, so that tests can see every effect.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, String, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    sessionmaker,
)

from youthbridge.domain.errors import Refused
from youthbridge.exchange.messages import Envelope, MessageType, ProgressUpdate
from youthbridge.exchange.parties import Party, PartyDirectory, PartyKind
from youthbridge.exchange.signing import generate_key, public_key_text, sign
from youthbridge.exchange.tables import InboxMessage, OutboxMessage, OutboxStream
from youthbridge.storage.base import CommonBase, utcnow
from youthbridge.storage.database import make_engine, session_factory

HUB = "hub:city"
RIVERBEND = "district:riverbend"
LAKESIDE = "district:lakeside"
EXCHANGE_TABLES = [
    CommonBase.metadata.tables[model.__tablename__]
    for model in (OutboxMessage, OutboxStream, InboxMessage)
]


class EffectsBase(DeclarativeBase):
    """A table that only these tests have: what each applied message did."""


class Effect(EffectsBase):
    __tablename__ = "test_effects"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(36))
    subject: Mapped[str | None] = mapped_column(String(128))
    sequence: Mapped[int]


@dataclass
class Node:
    """One party's node: its identity key and its own database."""

    party_id: str
    key: Ed25519PrivateKey
    factory: sessionmaker[Session]
    refusing: set[int] = field(default_factory=set)

    def apply(self, session: Session, envelope: Envelope) -> None:
        """Record the message's effect, or refuse it as a domain rule would."""
        session.add(
            Effect(
                message_id=str(envelope.message_id),
                subject=envelope.subject,
                sequence=envelope.sequence,
            )
        )
        session.flush()
        if envelope.sequence in self.refusing:
            raise Refused("the case is not known on this node", code="case:unknown")

    def effects(self) -> list[tuple[str | None, int]]:
        """(subject, sequence) of every applied message, in the order applied."""
        with self.factory() as session:
            rows = session.scalars(select(Effect).order_by(Effect.id))
            return [(row.subject, row.sequence) for row in rows]


@pytest.fixture
def keys() -> dict[str, Ed25519PrivateKey]:
    return {party: generate_key() for party in (HUB, RIVERBEND, LAKESIDE)}


@pytest.fixture
def parties(keys: dict[str, Ed25519PrivateKey]) -> PartyDirectory:
    return PartyDirectory(
        [
            Party(HUB, PartyKind.HUB, public_key_text(keys[HUB])),
            Party(
                RIVERBEND,
                PartyKind.DISTRICT,
                public_key_text(keys[RIVERBEND]),
                district_code="RVB",
            ),
            Party(
                LAKESIDE,
                PartyKind.DISTRICT,
                public_key_text(keys[LAKESIDE]),
                district_code="LKS",
            ),
        ]
    )


@pytest.fixture
def make_node(
    database_url: Callable[[str], str], keys: dict[str, Ed25519PrivateKey]
) -> Iterator[Callable[[str], Node]]:
    engines: list[Engine] = []

    def make(party_id: str) -> Node:
        engine = make_engine(database_url(party_id.replace(":", "_")))
        # Only the exchange's own tables: a test here never depends on others.
        CommonBase.metadata.create_all(engine, tables=EXCHANGE_TABLES)
        EffectsBase.metadata.create_all(engine)
        engines.append(engine)
        return Node(party_id, keys[party_id], session_factory(engine))

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def hub(make_node: Callable[[str], Node]) -> Node:
    return make_node(HUB)


@pytest.fixture
def riverbend(make_node: Callable[[str], Node]) -> Node:
    return make_node(RIVERBEND)


def progress(codes: tuple[str, ...] = ("engaged",)) -> ProgressUpdate:
    """A progress update for one Riverbend student's case."""
    return ProgressUpdate(
        pseudonym="P-7QK2M9",
        case_id=uuid.UUID("0b9f3c1e-5d2a-4f6b-9c8d-1a2b3c4d5e6f"),
        as_of=date(2025, 3, 14),
        codes=codes,
    )


def signed_progress(
    sender: Node,
    *,
    sequence: int,
    subject: str | None = "P-7QK2M9",
    recipient: str = RIVERBEND,
    key: Ed25519PrivateKey | None = None,
) -> Envelope:
    """A progress update from the hub, signed, as if its outbox had numbered it."""
    envelope = Envelope(
        message_id=uuid.uuid4(),
        type=MessageType.PROGRESS_UPDATE,
        sender=sender.party_id,
        recipient=recipient,
        idempotency_key=f"progress:{uuid.uuid4()}",
        created_at=utcnow(),
        subject=subject,
        sequence=sequence,
        payload=progress().model_dump(mode="json"),
    )
    return sign(envelope, key or sender.key)
