"""The hub's de-identified store: applying releases as they arrive.

A release is checked again here, whatever the district's node said: a release
whose records are not k-anonymous, or whose disclosure report is missing or
falls short of the agreement, is refused and nothing of it is stored.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import structlog
from sqlalchemy import Boolean, Column, Date, Float, Integer, insert, select, update
from sqlalchemy.orm import Session

from youthbridge.domain.disclosure import DisclosureReport, check_release
from youthbridge.domain.errors import Refused
from youthbridge.exchange.messages import DeidentifiedRelease, Envelope, read_payload
from youthbridge.exchange.parties import PartyDirectory
from youthbridge.storage.base import utcnow
from youthbridge.storage.hub_tables import (
    INCIDENT_FIELDS,
    RECORD_FIELDS,
    release_incidents,
    release_records,
    releases,
)
from youthbridge.storage.types import ExactDecimal

log = structlog.get_logger("youthbridge.hub.store")


class ReleaseApplier:
    """Applies `release:deidentified` messages from the districts of the agreement."""

    def __init__(self, parties: PartyDirectory, k_minimum: int) -> None:
        self._parties = parties
        self._k_minimum = k_minimum

    def __call__(self, session: Session, envelope: Envelope) -> None:
        release = read_payload(envelope, DeidentifiedRelease)
        self._check_sender(envelope, release)
        records = pl.DataFrame(list(release.records), infer_schema_length=None)
        report = DisclosureReport.from_dict(release.disclosure_report)
        check_release(records, report, self._k_minimum)
        store_release(session, envelope, release)

    def _check_sender(self, envelope: Envelope, release: DeidentifiedRelease) -> None:
        party = self._parties.find(envelope.sender)
        if party.district_code != release.district_code:
            raise Refused(
                f"{envelope.sender} may not send a release for district"
                f" {release.district_code}",
                code="release:sender",
            )


def store_release(
    session: Session, envelope: Envelope, release: DeidentifiedRelease
) -> int:
    """Store a checked release, superseding the current one for its district-year."""
    current = (
        session.execute(
            select(releases.c.id).where(
                releases.c.district_code == release.district_code,
                releases.c.school_year == release.school_year,
                releases.c.superseded_by.is_(None),
            )
        )
        .scalars()
        .all()
    )
    release_id = session.execute(
        insert(releases)
        .values(
            message_id=envelope.message_id,
            district_code=release.district_code,
            school_year=release.school_year,
            generated_at=release.generated_at,
            received_at=utcnow(),
            record_count=len(release.records),
            disclosure_report=release.disclosure_report,
        )
        .returning(releases.c.id)
    ).scalar_one()
    if current:
        session.execute(
            update(releases)
            .where(releases.c.id.in_(current))
            .values(superseded_by=release_id)
        )
    _insert_rows(session, release_id, release)
    log.info(
        "hub.release.stored",
        release_id=release_id,
        district=release.district_code,
        school_year=release.school_year,
        records=len(release.records),
        superseded=len(current),
    )
    return int(release_id)


def _insert_rows(
    session: Session, release_id: int, release: DeidentifiedRelease
) -> None:
    fixed = {
        "release_id": release_id,
        "district_code": release.district_code,
        "school_year": release.school_year,
    }
    records = [{**_fields(row, RECORD_FIELDS), **fixed} for row in release.records]
    for start in range(0, len(records), 20_000):
        session.execute(insert(release_records), records[start : start + 20_000])
    incidents = [
        {**_fields(row, INCIDENT_FIELDS), "release_id": release_id}
        for row in release.incidents
    ]
    if incidents:
        session.execute(insert(release_incidents), incidents)


def _fields(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    values = {name: row.get(name) for name in names}
    for name in ("membership_days", "days_absent", "iss_days", "oss_days", "days"):
        if values.get(name) is not None:
            values[name] = Decimal(str(values[name]))
    if values.get("as_of") is not None:
        values["as_of"] = date.fromisoformat(str(values["as_of"]))
    return values


def current_records(session: Session) -> pl.DataFrame:
    """Every record of the releases that are current (not superseded)."""
    query = (
        select(*(release_records.c[name] for name in RECORD_FIELDS))
        .join(releases, releases.c.id == release_records.c.release_id)
        .where(releases.c.superseded_by.is_(None))
    )
    rows = session.execute(query).mappings().all()
    return (
        pl.DataFrame(
            [dict(row) for row in rows],
            infer_schema_length=None,
            schema_overrides=_RECORD_SCHEMA,
        )
        if rows
        else pl.DataFrame(schema=_RECORD_SCHEMA)
    )


def current_incidents(session: Session) -> pl.DataFrame:
    """The incidents of the current releases, with their district and year."""
    query = (
        select(
            releases.c.district_code,
            releases.c.school_year,
            *(release_incidents.c[name] for name in INCIDENT_FIELDS),
        )
        .join(releases, releases.c.id == release_incidents.c.release_id)
        .where(releases.c.superseded_by.is_(None))
    )
    rows = session.execute(query).mappings().all()
    schema = {
        "district_code": pl.String(),
        "school_year": pl.String(),
        "pseudonym": pl.String(),
        "month": pl.String(),
        "behavior": pl.String(),
        "action": pl.String(),
        "days": pl.Float64(),
    }
    return pl.DataFrame([dict(row) for row in rows], schema=schema)


def _polars_type(column: Column[Any]) -> pl.DataType:
    """The frame type of a stored record column: its SQL type, read for analysis.

    Exact decimals become floats here: trends and the review compute rates and
    compare them with thresholds; the exact figures stay in the store.
    """
    kind = column.type
    if isinstance(kind, ExactDecimal | Float):
        return pl.Float64()
    if isinstance(kind, Boolean):
        return pl.Boolean()
    if isinstance(kind, Integer):
        return pl.Int64()
    if isinstance(kind, Date):
        return pl.Date()
    return pl.String()


_RECORD_SCHEMA: dict[str, pl.DataType] = {
    name: _polars_type(release_records.c[name]) for name in RECORD_FIELDS
}


def current_releases(session: Session) -> list[dict[str, Any]]:
    """The current release of every district and year, with its disclosure report."""
    query = (
        select(
            releases.c.district_code,
            releases.c.school_year,
            releases.c.record_count,
            releases.c.disclosure_report,
        )
        .where(releases.c.superseded_by.is_(None))
        .order_by(releases.c.district_code, releases.c.school_year)
    )
    return [
        {
            "district_code": row.district_code,
            "school_year": row.school_year,
            "records": row.record_count,
            "report": row.disclosure_report,
        }
        for row in session.execute(query)
    ]
