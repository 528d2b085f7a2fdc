"""Who may open a case file: refusals are audited and carry no data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from tests.hub.conftest import STUDENT, OpenCase, Staff
from youthbridge.domain.agreement import Purpose
from youthbridge.domain.errors import AccessDenied
from youthbridge.hub.casefile import case_file
from youthbridge.hub.cases import assign_case
from youthbridge.hub.node import HubNode
from youthbridge.security.accounts import Account
from youthbridge.security.audit import AuditEntry


def _last_entry(hub: HubNode) -> AuditEntry:
    with hub.sessions() as session:
        return session.scalars(
            select(AuditEntry).order_by(AuditEntry.sequence.desc()).limit(1)
        ).one()


def test_the_assigned_case_manager_opens_the_file_and_the_view_is_audited(
    hub: HubNode, staff: Staff, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()

    opened = case_file(
        hub, actor=staff.ana, case_id=case.case_id, purpose="case-management"
    )

    assert opened.pseudonym == STUDENT
    entry = _last_entry(hub)
    assert (entry.action, entry.outcome, entry.purpose) == (
        "case:view",
        "allow",
        "case-management",
    )
    assert (entry.actor_account_id, entry.subject) == (staff.ana.id, STUDENT)
    assert entry.details == {"case_id": str(case.case_id), "event": "case:file"}


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("ivy", "access:denied"),  # the analyst: de-identified data only
        ("oren", "access:denied"),  # the auditor: logs only
        ("ben", "access:case"),  # a case manager, but the case is Ana's
    ],
)
def test_others_are_refused_logged_and_told_nothing_of_the_student(
    hub: HubNode,
    staff: Staff,
    open_case: Callable[..., OpenCase],
    persona: str,
    code: str,
) -> None:
    case = open_case()
    actor: Account = getattr(staff, persona)

    with pytest.raises(AccessDenied) as refused:
        case_file(
            hub, actor=actor, case_id=case.case_id, purpose=Purpose.CASE_MANAGEMENT
        )

    assert refused.value.code == code
    assert STUDENT not in refused.value.message
    assert str(case.case_id) not in refused.value.message
    entry = _last_entry(hub)
    assert (entry.actor_account_id, entry.action, entry.outcome) == (
        actor.id,
        "case:view",
        "deny",
    )
    assert entry.details["refused"] == code


def test_the_team_supervisor_may_open_it_and_reassign_it(
    hub: HubNode, staff: Staff, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()

    case_file(hub, actor=staff.sam, case_id=case.case_id, purpose="service-referral")
    assign_case(hub, actor=staff.sam, case_id=case.case_id, to=staff.ben)

    assert (
        case_file(
            hub, actor=staff.ben, case_id=case.case_id, purpose="case-management"
        ).assigned_to
        == staff.ben.id
    )
    with pytest.raises(AccessDenied):
        case_file(hub, actor=staff.ana, case_id=case.case_id, purpose="case-management")


def test_a_case_file_is_not_opened_for_trend_analysis(
    hub: HubNode, staff: Staff, open_case: Callable[..., OpenCase]
) -> None:
    case = open_case()

    with pytest.raises(AccessDenied) as refused:
        case_file(hub, actor=staff.ana, case_id=case.case_id, purpose="trend-analysis")

    assert refused.value.code == "access:purpose"
    assert _last_entry(hub).purpose == "trend-analysis"
