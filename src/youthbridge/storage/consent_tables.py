"""The district's tables for outreach, consent, disclosures and what the hub reports.

Only the services under district/ read and write these, each after its access
check. A consent's state is not a column: it is computed from the stored terms
at each use (domain/consent.py). The disclosure log is append-only: no code path
deletes an entry, and the ORM refuses to try.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, Text, Uuid, event
from sqlalchemy.orm import Mapped, mapped_column

from youthbridge.domain.agreement import Purpose
from youthbridge.domain.consent import (
    SignatureMethod,
    SignerAuthentication,
    SignerCapacity,
)
from youthbridge.domain.errors import Refused
from youthbridge.domain.referral import ReferralSource, ReferralState
from youthbridge.security.timestamps import UTCDateTime
from youthbridge.storage.base import DistrictBase


def _code(enum: type[StrEnum]) -> Enum:
    # Stored as the readable code, checked on the way in, on every database.
    return Enum(
        enum,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Referral(DistrictBase):
    """One offer of help to one student's family: the outreach queue's rows."""

    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text, index=True)
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[ReferralSource] = mapped_column(_code(ReferralSource))
    state: Mapped[ReferralState] = mapped_column(_code(ReferralState))
    # The hub's request, for a referral that the hub asked for.
    request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    offer: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReferralTransition(DistrictBase):
    """One move of a referral, by a named account, with its time and reason."""

    __tablename__ = "referral_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id"), index=True
    )
    from_state: Mapped[ReferralState | None] = mapped_column(_code(ReferralState))
    to_state: Mapped[ReferralState] = mapped_column(_code(ReferralState))
    by_account: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(64))


class ConsentRecord(DistrictBase):
    """A signed release of information, exactly as validated, and its revocation."""

    __tablename__ = "consents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referrals.id"))
    student_id: Mapped[str] = mapped_column(Text, index=True)
    pseudonym: Mapped[str] = mapped_column(String(64))
    categories: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[Purpose] = mapped_column(_code(Purpose))
    receiving_party: Mapped[str] = mapped_column(String(64))
    signer_capacity: Mapped[SignerCapacity] = mapped_column(_code(SignerCapacity))
    signature_method: Mapped[SignatureMethod] = mapped_column(_code(SignatureMethod))
    authentication: Mapped[SignerAuthentication | None] = mapped_column(
        _code(SignerAuthentication)
    )
    document_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    form_language: Mapped[str] = mapped_column(String(16))
    form_version: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(32))
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_by: Mapped[SignerCapacity | None] = mapped_column(_code(SignerCapacity))
    revocation_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_recorded_by: Mapped[str | None] = mapped_column(String(32))


class DisclosureLogEntry(DistrictBase):
    """One release of identified records: to whom, what, why, under which consent.

    It keeps a copy of exactly what was sent, so that the family can be given it.
    `consent_id` is deliberately not a foreign key: nothing done to a consent can
    reach back into the log.
    """

    __tablename__ = "disclosure_log"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text, index=True)
    pseudonym: Mapped[str] = mapped_column(String(64))
    disclosed_on: Mapped[date] = mapped_column(Date)
    disclosed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    receiving_party: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[Purpose] = mapped_column(_code(Purpose))
    legal_basis: Mapped[str] = mapped_column(String(32))
    consent_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    categories: Mapped[list[str]] = mapped_column(JSON)
    record_counts: Mapped[dict[str, int]] = mapped_column(JSON)
    disclosed_content: Mapped[dict[str, Any]] = mapped_column(JSON)
    approved_by: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)


@event.listens_for(DisclosureLogEntry, "before_delete")
def _never_delete(_mapper: Any, _connection: Any, entry: DisclosureLogEntry) -> None:
    # The family's right to know who saw their records outlives every purge.
    raise Refused(
        f"disclosure log entry {entry.id} is permanent and cannot be deleted",
        code="disclosure-log:permanent",
    )


class ProgressRecord(DistrictBase):
    """A progress update from the hub: codes only, for the student's school staff."""

    __tablename__ = "progress_updates"

    message_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    student_id: Mapped[str] = mapped_column(Text, index=True)
    pseudonym: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    as_of: Mapped[date] = mapped_column(Date)
    codes: Mapped[list[str]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DestructionRecord(DistrictBase):
    """The hub's certificate that it destroyed a student's identified records."""

    __tablename__ = "destruction_certificates"

    certificate_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    consent_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    student_id: Mapped[str] = mapped_column(Text, index=True)
    pseudonym: Mapped[str] = mapped_column(String(64))
    categories: Mapped[list[str]] = mapped_column(JSON)
    destroyed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    items_destroyed: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
