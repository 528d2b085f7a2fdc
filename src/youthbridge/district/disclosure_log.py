"""Releasing a consented student's identified records, and the log of every release.

A release checks that a consent covers every category asked for before it reads
a single record. A refused release sends nothing and is logged as a denial. An
allowed one queues the records for the hub and, in the same transaction, writes
exactly one entry in the disclosure log: who received what, when, why and under
which consent, with a copy of exactly what was sent, so that the family can be
given it. No code path deletes an entry of the log.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.district.consent import stored_consents
from youthbridge.district.hub_link import HubLink, hub_link
from youthbridge.district.identified_records import build_records
from youthbridge.district.node import DistrictNode
from youthbridge.district.pseudonyms import reidentify
from youthbridge.district.student_lookup import birth_date_of, pseudonym_of
from youthbridge.domain.agreement import Purpose
from youthbridge.domain.consent import Decision, RecordCategory, covering_consent
from youthbridge.domain.errors import Problem, Refused, YouthbridgeError
from youthbridge.domain.schoolyear import year_of
from youthbridge.exchange.messages import RecordRelease
from youthbridge.security import audit
from youthbridge.security.audit import Outcome
from youthbridge.security.permissions import Actor, Permission, require
from youthbridge.storage.base import utcnow
from youthbridge.storage.consent_tables import DisclosureLogEntry

LEGAL_BASIS = "consent"
_ORDER = {category: position for position, category in enumerate(RecordCategory)}


@dataclass(frozen=True)
class Release:
    """What one allowed release sent, and where its log entry is."""

    disclosure_id: uuid.UUID
    message_id: uuid.UUID
    consent_id: uuid.UUID
    record_counts: dict[str, int]


@dataclass(frozen=True)
class DisclosureCopy:
    """One entry of the disclosure log, with the records it disclosed."""

    disclosure_id: uuid.UUID
    disclosed_on: date
    receiving_party: str
    purpose: Purpose
    legal_basis: str
    consent_id: uuid.UUID
    categories: tuple[str, ...]
    record_counts: dict[str, int]
    approved_by: str
    content: dict[str, Any]


@dataclass(frozen=True)
class _Request:
    actor: Actor
    student_id: str
    pseudonym: str
    categories: tuple[RecordCategory, ...]
    purpose: Purpose
    on: date
    now: datetime


def release_records(
    node: DistrictNode,
    *,
    actor: Actor,
    pseudonym: str,
    categories: Iterable[RecordCategory],
    purpose: Purpose,
    on: date,
    now: datetime | None = None,
    link: HubLink | None = None,
) -> Release:
    """Send the hub one student's records in these categories, if consent covers all."""
    moment = now or utcnow()
    wanted = tuple(sorted(set(categories), key=_ORDER.__getitem__))
    try:
        require(actor, Permission.RECORD_RELEASE)
        _check_request(wanted, on, moment)
        student_id = reidentify(node, pseudonym)
    except YouthbridgeError as error:
        _log_denial(node, actor, pseudonym, purpose, error, moment)
        raise
    request = _Request(actor, student_id, pseudonym, wanted, purpose, on, moment)
    sender = link or hub_link(node)

    with node.sessions.begin() as session:
        decisions = _decide(session, node, request, sender.recipient)
        refused = [decision for decision in decisions if not decision.allowed]
        if refused:
            _audit_refusal(session, request, refused)
        else:
            release = _disclose(session, node, request, decisions, sender)
    if refused:
        raise _refusal(pseudonym, refused)
    return release


def _check_request(wanted: tuple[RecordCategory, ...], on: date, now: datetime) -> None:
    if not wanted:
        raise Refused("a release names at least one category", code="release:empty")
    # A release is checked for the day it is made: an earlier day could find
    # a consent that has since expired or been revoked. One day either side
    # allows for the district's time zone against UTC.
    if abs(on - now.date()) > timedelta(days=1):
        raise Refused(
            f"a release is checked for the day it is made, not {on}",
            code="release:date",
        )


def _decide(
    session: Session, node: DistrictNode, request: _Request, recipient: str
) -> list[Decision]:
    consents = stored_consents(session, request.student_id)
    birth_date = birth_date_of(session, request.student_id)
    return [
        covering_consent(
            consents,
            category,
            request.on,
            birth_date,
            node.agreement,
            purpose=request.purpose,
            receiving_party=recipient,
        )
        for category in request.categories
    ]


def _disclose(
    session: Session,
    node: DistrictNode,
    request: _Request,
    decisions: list[Decision],
    link: HubLink,
) -> Release:
    consent_id = _one_consent(decisions)
    start = (
        node.agreement.school_year_start_month,
        node.agreement.school_year_start_day,
    )
    year = year_of(request.on, *start)
    records = build_records(node, session, request.student_id, request.categories, year)
    payload = RecordRelease(
        pseudonym=request.pseudonym,
        consent_id=consent_id,
        categories=request.categories,
        records=records,
    )
    envelope = link.send(session, payload, subject=request.pseudonym)

    entry = _log_entry(request, payload, link.recipient, envelope.message_id)
    session.add(entry)
    _audit_release(session, request, entry)
    return Release(entry.id, envelope.message_id, consent_id, entry.record_counts)


def _log_entry(
    request: _Request, payload: RecordRelease, recipient: str, message_id: uuid.UUID
) -> DisclosureLogEntry:
    counts = {str(category): len(rows) for category, rows in payload.records.items()}
    return DisclosureLogEntry(
        id=uuid.uuid4(),
        student_id=request.student_id,
        pseudonym=request.pseudonym,
        disclosed_on=request.on,
        disclosed_at=request.now,
        receiving_party=recipient,
        purpose=request.purpose,
        legal_basis=LEGAL_BASIS,
        consent_id=payload.consent_id,
        categories=[str(category) for category in request.categories],
        record_counts=counts,
        # Exactly what the hub received, as it received it.
        disclosed_content=payload.model_dump(mode="json")["records"],
        approved_by=request.actor.id,
        message_id=message_id,
    )


def _one_consent(decisions: list[Decision]) -> uuid.UUID:
    # Only the latest signed consent for a purpose and recipient is ever
    # active, so every category is covered by the same one; two would mean two
    # forms recorded at the same instant, which a person must sort out.
    found = {decision.consent_id for decision in decisions}
    if len(found) != 1 or None in found:
        raise Refused(
            "the categories are covered by different consents; record one consent"
            " that names them all",
            code="release:consents",
        )
    consent_id = found.pop()
    assert consent_id is not None
    return consent_id


def _refusal(pseudonym: str, refused: list[Decision]) -> Refused:
    problems = [
        Problem(
            file="release",
            line=None,
            column=str(decision.category),
            value=None,
            rule=decision.rule,
            message=decision.reason,
        )
        for decision in refused
    ]
    names = ", ".join(str(decision.category) for decision in refused)
    return Refused(
        f"the release for {pseudonym} is refused: no active consent covers {names};"
        " nothing was sent",
        code="release:refused",
        problems=problems,
    )


def _audit_refusal(
    session: Session, request: _Request, refused: list[Decision]
) -> None:
    audit.record(
        session,
        actor=request.actor,
        action=Permission.RECORD_RELEASE,
        outcome=Outcome.DENY,
        purpose=request.purpose,
        subject=request.pseudonym,
        details={
            "categories": [str(category) for category in request.categories],
            "refused": [str(decision.category) for decision in refused],
            "rules": [decision.rule for decision in refused],
        },
        now=request.now,
    )


def _audit_release(
    session: Session, request: _Request, entry: DisclosureLogEntry
) -> None:
    audit.record(
        session,
        actor=request.actor,
        action=Permission.RECORD_RELEASE,
        purpose=request.purpose,
        subject=request.pseudonym,
        details={
            "disclosure_id": str(entry.id),
            "consent_id": str(entry.consent_id),
            "categories": entry.categories,
            "records": sum(entry.record_counts.values()),
        },
        now=request.now,
    )


def _log_denial(
    node: DistrictNode,
    actor: Actor,
    pseudonym: str,
    purpose: Purpose,
    error: YouthbridgeError,
    now: datetime,
) -> None:
    with node.sessions.begin() as session:
        audit.record(
            session,
            actor=actor,
            action=Permission.RECORD_RELEASE,
            outcome=Outcome.DENY,
            purpose=purpose,
            subject=pseudonym,
            details={"error": error.code},
            now=now,
        )


def family_copy(
    node: DistrictNode, *, actor: Actor, student_id: str
) -> list[DisclosureCopy]:
    """Every disclosure of one student's records, with what each disclosed."""
    require(actor, Permission.DISCLOSURE_LOG_VIEW)
    query = (
        select(DisclosureLogEntry)
        .where(DisclosureLogEntry.student_id == student_id)
        .order_by(DisclosureLogEntry.disclosed_at)
    )
    with node.sessions.begin() as session:
        copies = [_copy(entry) for entry in session.scalars(query)]
        audit.record(
            session,
            actor=actor,
            action=Permission.DISCLOSURE_LOG_VIEW,
            subject=pseudonym_of(session, node, student_id),
            details={"entries": len(copies)},
        )
    return copies


def _copy(entry: DisclosureLogEntry) -> DisclosureCopy:
    return DisclosureCopy(
        disclosure_id=entry.id,
        disclosed_on=entry.disclosed_on,
        receiving_party=entry.receiving_party,
        purpose=entry.purpose,
        legal_basis=entry.legal_basis,
        consent_id=entry.consent_id,
        categories=tuple(entry.categories),
        record_counts=dict(entry.record_counts),
        approved_by=entry.approved_by,
        content=dict(entry.disclosed_content),
    )
