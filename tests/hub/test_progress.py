"""Progress updates: codes only, on every status change and at least monthly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.hub.conftest import RIVERBEND, STUDENT, OpenCase, Staff
from youthbridge.domain.case import CaseStatus
from youthbridge.domain.errors import Refused
from youthbridge.exchange.messages import Envelope, ProgressUpdate
from youthbridge.exchange.tables import OutboxMessage
from youthbridge.exchange.vocabulary import CaseOutcome
from youthbridge.hub.casefile import timeline
from youthbridge.hub.cases import change_status
from youthbridge.hub.node import HubNode
from youthbridge.hub.progress import (
    due_progress_updates,
    one_month_after,
    send_progress,
)
from youthbridge.storage.case_tables import CaseRow


def _sent(hub: HubNode) -> list[tuple[str, ...]]:
    with hub.sessions() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.type == "progress:update")
            .order_by(OutboxMessage.sequence)
        ).all()
    updates = []
    for row in rows:
        envelope = Envelope.model_validate_json(row.envelope)
        assert (envelope.recipient, envelope.subject) == (RIVERBEND, STUDENT)
        updates.append(ProgressUpdate.model_validate(envelope.payload).codes)
    return updates


def test_every_status_change_tells_the_district_in_codes(
    hub: HubNode, staff: Staff, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()

    moves = [
        (CaseStatus.ACTIVE, "first-meeting-held", None),
        (CaseStatus.ON_HOLD, "family-request", None),
        (CaseStatus.ACTIVE, "family-ready", None),
        (CaseStatus.CLOSED, "goals-met", CaseOutcome.GOALS_MET),
    ]
    for to, reason, outcome in moves:
        change_status(
            hub,
            actor=staff.ana,
            case_id=case.case_id,
            to=to,
            reason=reason,
            outcome=outcome,
        )

    assert _sent(hub) == [
        ("enrolled",),  # the case opened on the family's consent
        ("engaged",),
        ("enrolled",),
        ("engaged",),
        ("closed:goals-met",),
    ]
    steps = timeline(hub, actor=staff.ana, case_id=case.case_id)
    changes = [
        (s.from_status, s.to_status) for s in steps if s.kind == "status:changed"
    ]
    assert changes == [
        ("open", "active"),
        ("active", "on-hold"),
        ("on-hold", "active"),
        ("active", "closed"),
    ]


def test_an_illegal_move_sends_nothing(
    hub: HubNode, staff: Staff, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()

    with pytest.raises(Refused):
        change_status(
            hub, actor=staff.ana, case_id=case.case_id, to=CaseStatus.OPEN, reason="x"
        )

    assert _sent(hub) == [("enrolled",)]


@pytest.mark.parametrize(
    "codes",
    [
        ["engaged", "Doing much better since the move to his aunt's"],
        ["services-started:karate"],
        [],
    ],
)
def test_progress_with_free_text_or_unknown_codes_is_refused(
    hub: HubNode, staff: Staff, open_case: Callable[..., OpenCase], codes: list[str]
) -> None:
    case = open_case()

    with pytest.raises(Refused) as refused:
        send_progress(hub, actor=staff.ana, case_id=case.case_id, codes=codes)

    assert refused.value.code == "progress:code"
    assert "aunt" not in refused.value.message
    assert _sent(hub) == [("enrolled",)]


def test_a_case_manager_sends_typed_codes(
    hub: HubNode, staff: Staff, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()

    send_progress(
        hub,
        actor=staff.ana,
        case_id=case.case_id,
        codes=["goal-progress", "services-started:mentoring"],
    )

    assert _sent(hub)[-1] == ("goal-progress", "services-started:mentoring")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 14), date(2025, 4, 14)),
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2025, 12, 5), date(2026, 1, 5)),
    ],
)
def test_one_month_after(day: date, expected: date) -> None:
    assert one_month_after(day) == expected


def test_a_case_not_heard_of_for_a_month_gets_its_monthly_update(
    hub: HubNode, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()
    with hub.sessions() as session:
        row = session.get(CaseRow, case.case_id)
        assert row is not None
        assert row.last_progress_at is not None
        last = row.last_progress_at.date()

    assert due_progress_updates(hub, last + timedelta(days=27)) == []
    assert due_progress_updates(hub, one_month_after(last)) == [case.case_id]
    assert due_progress_updates(hub, one_month_after(last)) == []
    assert _sent(hub) == [("enrolled",), ("enrolled",)]
