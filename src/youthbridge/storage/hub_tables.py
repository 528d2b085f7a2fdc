"""The hub's de-identified store: releases as received, records under pseudonyms.

Nothing here can hold a name, a birth date, an address, a phone, a local
identifier or a guardian: the columns are fixed, and a release is read into them
field by field. A newer release for the same district and year supersedes the
older one, which stays as history.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Uuid,
)

from youthbridge.storage.base import HubBase
from youthbridge.storage.types import ExactDecimal

metadata = HubBase.metadata

releases = Table(
    "releases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Uuid, nullable=False, unique=True),
    Column("district_code", String(32), nullable=False),
    Column("school_year", String(9), nullable=False),
    Column("generated_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("superseded_by", ForeignKey("releases.id")),
    Column("record_count", Integer, nullable=False),
    Column("disclosure_report", JSON, nullable=False),
)

# One column per field a release may carry. The quasi-identifiers appear either
# as given or generalised (age or age_band, zip or zip3, ...), as the district's
# disclosure check left them.
release_records = Table(
    "release_records",
    metadata,
    Column("release_id", ForeignKey("releases.id"), primary_key=True),
    Column("pseudonym", String(128), primary_key=True),
    Column("district_code", String(32), nullable=False),
    Column("school_year", String(9), nullable=False),
    Column("as_of", Date),
    Column("age", Integer),
    Column("age_band", String(8)),
    Column("grade", String(4)),
    Column("grade_band", String(16)),
    Column("zip", String(10)),
    Column("zip3", String(3)),
    Column("sex", String(16)),
    Column("race_ethnicity", String(48)),
    Column("school_id", String(64)),
    Column("school_level", String(16)),
    Column("membership_days", ExactDecimal),
    Column("days_absent", ExactDecimal),
    Column("attendance_rate", Float),
    Column("chronic_absence", Boolean),
    Column("unexcused_absences", Integer),
    Column("max_unexcused_in_month", Integer),
    Column("habitual_truancy", Boolean),
    Column("iss_count", Integer),
    Column("iss_days", ExactDecimal),
    Column("oss_count", Integer),
    Column("oss_days", ExactDecimal),
    Column("expulsions", Integer),
    Column("incidents", Integer),
    Column("incidents_fighting", Integer),
    Column("incidents_weapon", Integer),
    Column("recent_attendance_rate", Float),
    Column("prior_attendance_rate", Float),
)

release_incidents = Table(
    "release_incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("release_id", ForeignKey("releases.id"), nullable=False, index=True),
    Column("pseudonym", String(128), nullable=False),
    Column("month", String(7), nullable=False),
    Column("behavior", String(32)),
    Column("action", String(32)),
    Column("days", ExactDecimal),
)

RECORD_FIELDS: tuple[str, ...] = tuple(
    column.name for column in release_records.columns if column.name != "release_id"
)
INCIDENT_FIELDS: tuple[str, ...] = ("pseudonym", "month", "behavior", "action", "days")

# Imported last, so that creating a hub schema always creates the case and
# directory tables with the store's.
from youthbridge.storage import case_tables  # noqa: E402, F401
