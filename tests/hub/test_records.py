"""Consented records: sealed on arrival, only as consented, destroyed on revocation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import LargeBinary, select

from tests.hub.conftest import RIVERBEND, STUDENT, District, OpenCase, Staff
from youthbridge.domain.agreement import Purpose
from youthbridge.exchange.messages import (
    AckStatus,
    ConsentRevoked,
    DestructionCertificate,
    Envelope,
    RecordRelease,
)
from youthbridge.exchange.tables import InboxMessage, OutboxMessage
from youthbridge.exchange.vocabulary import RecordCategory, RevocationReason
from youthbridge.hub.casefile import case_file
from youthbridge.hub.cases import ContactKind, add_contact_note, add_goal
from youthbridge.hub.node import HubNode
from youthbridge.security.vault import StudentKey
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import CaseRecordRow, CaseRow
from youthbridge.storage.database import NodeKind, metadata_for

# The test's own synthetic student, as the district's records name her.
NAME = "Zephyrine Quillfeather"
PHONE = "555-0142-7781"
CONTACT = {"name": NAME, "phone": PHONE, "guardian": "Orla Quillfeather"}
ATTENDANCE = {"month": "2025-02", "days_absent": "4.5", "unexcused": 3}


def _release(
    consent_id: uuid.UUID, categories: tuple[RecordCategory, ...]
) -> RecordRelease:
    records: dict[RecordCategory, tuple[dict[str, Any], ...]] = {
        RecordCategory.CONTACT: (CONTACT,),
        RecordCategory.ATTENDANCE: (ATTENDANCE,),
        RecordCategory.DISCIPLINE: ({"month": "2025-01", "action": "suspension"},),
    }
    return RecordRelease(
        pseudonym=STUDENT,
        consent_id=consent_id,
        categories=categories,
        records={category: records[category] for category in categories},
    )


def test_released_records_are_stored_sealed_and_opened_in_the_case_file(
    hub: HubNode, staff: Staff, riverbend: District, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()
    both = (RecordCategory.CONTACT, RecordCategory.ATTENDANCE)

    assert riverbend.send(_release(case.consent_id, both)) is AckStatus.APPLIED

    with hub.sessions() as session:
        rows = session.scalars(select(CaseRecordRow).order_by(CaseRecordRow.category))
        stored = [
            (row.category, row.items, NAME.encode() in row.sealed) for row in rows
        ]
    assert stored == [("attendance", 1, False), ("contact", 1, False)]

    opened = case_file(
        hub, actor=staff.ana, case_id=case.case_id, purpose=Purpose.CASE_MANAGEMENT
    )
    assert opened.records == {"attendance": (ATTENDANCE,), "contact": (CONTACT,)}
    assert opened.consent.categories == ("contact", "attendance")


def test_a_release_with_a_category_beyond_the_consent_is_refused_whole(
    hub: HubNode, riverbend: District, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()
    beyond = (RecordCategory.CONTACT, RecordCategory.DISCIPLINE)

    status = riverbend.send(_release(case.consent_id, beyond))

    assert status is AckStatus.DEAD
    with hub.sessions() as session:
        assert session.scalars(select(CaseRecordRow)).all() == []
        dead = session.scalars(
            select(InboxMessage).where(InboxMessage.type == "record:release")
        ).one()
        assert dead.error is not None
        assert dead.error.startswith("record:category: ")
        assert "discipline" in dead.error
    assert _identified_values_in(hub) == []


def test_revocation_leaves_no_identified_value_and_keeps_the_case(
    hub: HubNode, staff: Staff, riverbend: District, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()
    both = (RecordCategory.CONTACT, RecordCategory.ATTENDANCE)
    riverbend.send(_release(case.consent_id, both))
    add_goal(hub, actor=staff.ana, case_id=case.case_id, text=f"{NAME} back in class")
    add_contact_note(
        hub,
        actor=staff.ana,
        case_id=case.case_id,
        contact_kind=ContactKind.CALL,
        contacted_at=utcnow(),
        text=f"Called {PHONE}; spoke with Orla",
    )
    before = case_file(
        hub, actor=staff.ana, case_id=case.case_id, purpose=Purpose.CASE_MANAGEMENT
    )
    assert before.records["contact"] == (CONTACT,)
    assert [note.text for note in before.notes] == [f"Called {PHONE}; spoke with Orla"]

    revoked = ConsentRevoked(
        consent_id=case.consent_id,
        pseudonym=STUDENT,
        reason=RevocationReason.REVOKED,
        effective_at=utcnow(),
    )
    assert riverbend.send(revoked) is AckStatus.APPLIED

    assert _identified_values_in(hub) == []
    with hub.sessions() as session:
        kept = session.get(CaseRow, case.case_id)
        assert kept is not None
        assert kept.identified_destroyed_at is not None
        key = session.scalars(select(StudentKey)).one()
        assert (key.wrapped_key, key.destroy_reason) == (None, "consent-revoked")
    certificate = _certificate(hub)
    assert certificate.consent_id == case.consent_id
    assert certificate.categories == both
    # two records (one contact, one attendance), one goal and one note
    assert certificate.items_destroyed == 4

    opened = case_file(
        hub, actor=staff.ana, case_id=case.case_id, purpose=Purpose.CASE_MANAGEMENT
    )
    assert opened.records == {}
    assert [goal.text for goal in opened.goals] == [None]
    assert [note.text for note in opened.notes] == [None]


def _certificate(hub: HubNode) -> DestructionCertificate:
    with hub.sessions() as session:
        row = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.type == "destruction:certificate",
                OutboxMessage.recipient == RIVERBEND,
            )
        ).one()
    envelope = Envelope.model_validate_json(row.envelope)
    return DestructionCertificate.model_validate(envelope.payload)


def _identified_values_in(hub: HubNode) -> list[str]:
    """Every table.column of the hub's database that holds the name or phone."""
    found: list[str] = []
    needles = (NAME, PHONE, "Orla")
    with hub.engine.connect() as connection:
        for metadata in metadata_for(NodeKind.HUB):
            for table in metadata.sorted_tables:
                for row in connection.execute(select(table)).mappings():
                    found.extend(
                        f"{table.name}.{column.name}"
                        for column in table.columns
                        if _holds(row[column.name], column.type, needles)
                    )
    return found


def _holds(value: object, kind: object, needles: tuple[str, ...]) -> bool:
    if value is None:
        return False
    if isinstance(kind, LargeBinary) and isinstance(value, bytes):
        return any(needle.encode() in value for needle in needles)
    return any(needle in str(value) for needle in needles)
