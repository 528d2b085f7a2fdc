"""The outbox and inbox tables, on every node's database.

The outbox holds what this node has promised to send; the inbox, what it has
received. Both keep the envelope exactly as signed, so that a message can be sent
again, or applied again, with its signature still valid.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Enum,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from youthbridge.security.timestamps import UTCDateTime
from youthbridge.storage.base import CommonBase, utcnow


def _status_type(enum: type[StrEnum], name: str) -> Enum:
    return Enum(
        enum,
        name=name,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class InboxStatus(StrEnum):
    APPLIED = "applied"
    WAITING = "waiting"
    DEAD = "dead"


class OutboxMessage(CommonBase):
    """A signed message this node will deliver until its recipient acknowledges it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index(None, "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sender: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str | None] = mapped_column(String(128))
    sequence: Mapped[int] = mapped_column(Integer)
    envelope: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        _status_type(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxStream(CommonBase):
    """The last sequence number given out on one sender-recipient-subject stream.

    A row of its own, rather than a maximum over the outbox, so that two
    transactions enqueueing for one subject wait on one lock instead of both
    taking the same number.
    """

    __tablename__ = "outbox_streams"

    sender: Mapped[str] = mapped_column(String(64), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The empty string stands for "no subject": key columns cannot be null.
    subject_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer)


class InboxMessage(CommonBase):
    """A message this node received: applied, waiting for an earlier one, or dead."""

    __tablename__ = "inbox_messages"
    __table_args__ = (
        UniqueConstraint("idempotency_key", "sender"),
        UniqueConstraint("sender", "subject", "sequence"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sender: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(128))
    sequence: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    envelope: Mapped[str] = mapped_column(Text)
    status: Mapped[InboxStatus] = mapped_column(
        _status_type(InboxStatus, "inbox_status")
    )
    received: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(1000))
