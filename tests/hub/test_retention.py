"""Retention: a lapsed consent or an old closed case leaves no identified record."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update

from tests.hub.conftest import District, OpenCase, Staff
from tests.hub.test_records import _identified_values_in, _release
from youthbridge.exchange.messages import DestructionCertificate
from youthbridge.exchange.tables import OutboxMessage
from youthbridge.exchange.vocabulary import RecordCategory
from youthbridge.hub.node import HubNode
from youthbridge.hub.retention import destroy_lapsed
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import CaseRecordRow, CaseRow

BOTH = (RecordCategory.CONTACT, RecordCategory.ATTENDANCE)


def _case(hub: HubNode, case_id: uuid.UUID) -> CaseRow:
    with hub.sessions() as session:
        return session.scalars(select(CaseRow).where(CaseRow.id == case_id)).one()


def _sealed_records(hub: HubNode, case_id: uuid.UUID) -> int:
    with hub.sessions() as session:
        rows = session.scalars(
            select(CaseRecordRow).where(CaseRecordRow.case_id == case_id)
        ).all()
    return len(rows)


def _certificates(hub: HubNode) -> list[str]:
    with hub.sessions() as session:
        rows = session.scalars(select(OutboxMessage.type)).all()
    return [str(kind) for kind in rows if str(kind) == "destruction:certificate"]


def test_nothing_goes_while_the_consent_covers(
    hub: HubNode, staff: Staff, riverbend: District, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()
    riverbend.send(_release(case.consent_id, BOTH))
    expires = _case(hub, case.case_id).consent_expires_on

    swept = destroy_lapsed(hub, expires)

    assert swept.lapsed == ()
    assert _sealed_records(hub, case.case_id) == 2
    assert _case(hub, case.case_id).identified_destroyed_at is None


def test_the_day_after_expiry_the_records_are_destroyed_and_certified(
    hub: HubNode, staff: Staff, riverbend: District, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()
    riverbend.send(_release(case.consent_id, BOTH))
    expires = _case(hub, case.case_id).consent_expires_on

    swept = destroy_lapsed(hub, expires + timedelta(days=1))

    assert swept.lapsed == (case.case_id,)
    assert _sealed_records(hub, case.case_id) == 0
    assert _identified_values_in(hub) == []
    kept = _case(hub, case.case_id)
    assert kept.consent_end_reason == "expired"
    assert kept.identified_destroyed_at is not None
    assert len(_certificates(hub)) == 1
    assert DestructionCertificate.message_type.value == "destruction:certificate"


def test_a_second_sweep_destroys_nothing_more(
    hub: HubNode, staff: Staff, riverbend: District, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()
    riverbend.send(_release(case.consent_id, BOTH))
    after = _case(hub, case.case_id).consent_expires_on + timedelta(days=1)
    destroy_lapsed(hub, after)

    again = destroy_lapsed(hub, after)

    assert (again.lapsed, again.retention_ended) == ((), ())
    assert len(_certificates(hub)) == 1


def test_a_closed_case_keeps_its_records_for_the_retention_period_only(
    hub: HubNode, staff: Staff, riverbend: District, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()
    riverbend.send(_release(case.consent_id, BOTH))
    closed_on = utcnow()
    with hub.sessions.begin() as session:
        session.execute(
            update(CaseRow)
            .where(CaseRow.id == case.case_id)
            .values(status="closed", updated_at=closed_on)
        )
    days = hub.agreement.destroy_days_after_close

    within = destroy_lapsed(hub, closed_on.date() + timedelta(days=days))
    past = destroy_lapsed(hub, closed_on.date() + timedelta(days=days + 1))

    assert within.retention_ended == ()
    assert past.retention_ended == (case.case_id,)
    assert _sealed_records(hub, case.case_id) == 0
    assert _identified_values_in(hub) == []
    assert _case(hub, case.case_id).consent_end_reason == "retention-ended"
