"""The hub's referral, case and service-directory tables.

Referrals and cases are keyed by pseudonym: the hub learns who a student is only
through the records a consent releases, and those live here only sealed with the
student's own key (`sealed` columns). Everything else is codes, identifiers and
times, so that destroying the key leaves the case de-identified and readable.
Nothing in these tables is ever reached except through hub/ services that check
access first.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from youthbridge.security.timestamps import UTCDateTime
from youthbridge.storage.base import HubBase


class ReferralRow(HubBase):
    """One student the hub asked a district to reach out to, and how it went."""

    __tablename__ = "hub_referrals"
    __table_args__ = (UniqueConstraint("request_id", "pseudonym"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    district_code: Mapped[str] = mapped_column(String(32))
    district_party: Mapped[str] = mapped_column(String(64))
    pseudonym: Mapped[str] = mapped_column(String(128), index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    offer: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    outcome_code: Mapped[str | None] = mapped_column(String(32))
    requested_by: Mapped[str] = mapped_column(String(32))
    assign_to: Mapped[str | None] = mapped_column(String(32))
    team: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseRow(HubBase):
    """A consented student's case: status, assignment and the consent's terms."""

    __tablename__ = "hub_cases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("hub_referrals.id"), unique=True
    )
    district_code: Mapped[str] = mapped_column(String(32))
    district_party: Mapped[str] = mapped_column(String(64))
    pseudonym: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16))
    close_outcome: Mapped[str | None] = mapped_column(String(32))
    close_reason: Mapped[str | None] = mapped_column(String(32))
    assigned_to: Mapped[str | None] = mapped_column(String(32), index=True)
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    consent_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    consent_categories: Mapped[list[str]] = mapped_column(JSON)
    consent_expires_on: Mapped[date] = mapped_column(Date)
    consent_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_end_reason: Mapped[str | None] = mapped_column(String(32))
    identified_destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseEventRow(HubBase):
    """One thing that happened to a case; the timeline is read from these."""

    __tablename__ = "hub_case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hub_cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    codes: Mapped[list[str]] = mapped_column(JSON)


class CaseRecordRow(HubBase):
    """A category of a student's released records, sealed with the student's key."""

    __tablename__ = "hub_case_records"
    __table_args__ = (UniqueConstraint("case_id", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hub_cases.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    items: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    message_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseGoalRow(HubBase):
    """A goal set with the student; its wording is sealed, it may name people."""

    __tablename__ = "hub_case_goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hub_cases.id"), index=True)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CasePlanItemRow(HubBase):
    """A referral from a case's service plan to a service in the directory."""

    __tablename__ = "hub_case_plan_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hub_cases.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("directory_services.id"))
    category: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    referred_by: Mapped[str] = mapped_column(String(32))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseNoteRow(HubBase):
    """A note of a contact with the student or family; sealed, and never sent."""

    __tablename__ = "hub_case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hub_cases.id"), index=True)
    contact_kind: Mapped[str] = mapped_column(String(16))
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    written_by: Mapped[str] = mapped_column(String(32))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DirectoryOrganization(HubBase):
    """An organisation of the community service directory (HSDS `organization`)."""

    __tablename__ = "directory_organizations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(500))


class DirectoryService(HubBase):
    """A service an organisation offers (HSDS `service`)."""

    __tablename__ = "directory_services"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("directory_organizations.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(500))
    taxonomy_terms: Mapped[list[str]] = mapped_column(JSON)
    # The hub's own kind of service, set by a directory manager: it is what a
    # progress update may name (`services-started:<category>`).
    category: Mapped[str | None] = mapped_column(String(32))


class DirectoryLocation(HubBase):
    """A place where services are delivered (HSDS `location`)."""

    __tablename__ = "directory_locations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_organizations.id")
    )
    name: Mapped[str | None] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class DirectoryServiceLocation(HubBase):
    """Which service is delivered where (HSDS `service_at_location`)."""

    __tablename__ = "directory_service_locations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("directory_services.id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("directory_locations.id"))


class DirectoryPhone(HubBase):
    """A public phone number of an organisation, service or location (HSDS)."""

    __tablename__ = "directory_phones"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(String(64))
    service_id: Mapped[str | None] = mapped_column(String(64))
    location_id: Mapped[str | None] = mapped_column(String(64))
    service_at_location_id: Mapped[str | None] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
