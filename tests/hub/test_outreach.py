"""Asking a district to reach out, and what comes back: codes only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.hub.conftest import FLAGS, RIVERBEND, STUDENT, District, Staff
from youthbridge.domain.errors import AccessDenied, Refused
from youthbridge.exchange.messages import (
    AckStatus,
    ConsentNotice,
    Envelope,
    OutreachOutcome,
    OutreachRequest,
)
from youthbridge.exchange.parties import PartyDirectory
from youthbridge.exchange.tables import OutboxMessage
from youthbridge.exchange.vocabulary import ConsentOutcome, OutreachResult
from youthbridge.hub.node import HubNode
from youthbridge.hub.outreach import request_outreach
from youthbridge.security.audit import AuditEntry
from youthbridge.storage.case_tables import CaseRow, ReferralRow

OTHER = "RVB-3HW8PL2C"


def _ask(hub: HubNode, staff: Staff, parties: PartyDirectory) -> OutreachRequest:
    asked = request_outreach(
        hub,
        actor=staff.ana,
        district=parties.find(RIVERBEND),
        pseudonyms_with_flags={STUDENT: FLAGS, OTHER: ("attendance:drop",)},
        offer="youth-mentoring",
    )
    return OutreachRequest.model_validate(asked.envelope.payload)


def test_a_request_is_queued_with_its_referrals_and_audit_entry(
    hub: HubNode, staff: Staff, parties: PartyDirectory
) -> None:
    request = _ask(hub, staff, parties)

    assert [(s.pseudonym, s.reasons) for s in request.students] == [
        (OTHER, ("attendance:drop",)),
        (STUDENT, FLAGS),
    ]
    assert (request.district_code, request.offer) == ("RVB", "youth-mentoring")
    with hub.sessions() as session:
        referrals = session.scalars(select(ReferralRow).order_by(ReferralRow.pseudonym))
        assert [(r.pseudonym, r.state) for r in referrals] == [
            (OTHER, "requested"),
            (STUDENT, "requested"),
        ]
        queued = session.scalars(select(OutboxMessage)).one()
        assert Envelope.model_validate_json(queued.envelope).recipient == RIVERBEND
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.actor_account_id) == (
            "outreach:request",
            staff.ana.id,
        )
        assert entry.details["pseudonyms"] == [OTHER, STUDENT]


def test_the_analyst_may_not_ask_and_reasons_must_be_flag_codes(
    hub: HubNode, staff: Staff, parties: PartyDirectory
) -> None:
    district = parties.find(RIVERBEND)
    with pytest.raises(AccessDenied):
        request_outreach(
            hub,
            actor=staff.ivy,
            district=district,
            pseudonyms_with_flags={STUDENT: FLAGS},
            offer="youth-mentoring",
        )
    with pytest.raises(Refused) as refused:
        request_outreach(
            hub,
            actor=staff.ana,
            district=district,
            pseudonyms_with_flags={STUDENT: ("seems troubled",)},
            offer="youth-mentoring",
        )

    assert refused.value.code == "outreach:reasons"
    with hub.sessions() as session:
        assert session.scalars(select(ReferralRow)).all() == []


def test_a_student_is_not_asked_about_twice_within_the_blocking_period(
    hub: HubNode, staff: Staff, parties: PartyDirectory
) -> None:
    _ask(hub, staff, parties)

    with pytest.raises(Refused) as refused:
        _ask(hub, staff, parties)

    assert refused.value.code == "outreach:too-soon"


def test_a_decline_and_an_unreachable_family_keep_only_their_codes(
    hub: HubNode, staff: Staff, parties: PartyDirectory, riverbend: District
) -> None:
    request = _ask(hub, staff, parties)

    riverbend.send(
        OutreachOutcome(
            request_id=request.request_id,
            pseudonym=OTHER,
            result=OutreachResult.UNREACHABLE,
        ),
        subject=OTHER,
    )
    status = riverbend.send(
        ConsentNotice(
            referral_id=request.request_id,
            pseudonym=STUDENT,
            outcome=ConsentOutcome.DECLINED,
        )
    )

    assert status is AckStatus.APPLIED
    with hub.sessions() as session:
        referrals = session.scalars(select(ReferralRow).order_by(ReferralRow.pseudonym))
        assert [(r.pseudonym, r.state, r.outcome_code) for r in referrals] == [
            (OTHER, "unreachable", "unreachable"),
            (STUDENT, "declined", "declined"),
        ]
        assert session.scalars(select(CaseRow)).all() == []


def test_an_acceptance_opens_a_case_with_the_consent_terms(
    hub: HubNode, staff: Staff, parties: PartyDirectory, riverbend: District
) -> None:
    request = _ask(hub, staff, parties)
    notice = ConsentNotice.model_validate(
        {
            "referral_id": str(request.request_id),
            "pseudonym": STUDENT,
            "outcome": "accepted",
            "consent_id": "5f0c2a4e-8d1b-4c3a-9e7f-2b6d8a1c4e9f",
            "categories": ["contact", "grades"],
            "expires_on": "2099-06-30",
        }
    )

    riverbend.send(notice)

    with hub.sessions() as session:
        case = session.scalars(select(CaseRow)).one()
    assert (case.status, case.team, case.assigned_to) == ("open", "intake", None)
    assert case.consent_categories == ["contact", "grades"]
    assert str(case.consent_id) == "5f0c2a4e-8d1b-4c3a-9e7f-2b6d8a1c4e9f"
    assert case.consent_expires_on.isoformat() == "2099-06-30"
