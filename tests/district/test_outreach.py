"""The outreach queue: hub requests, staff and family referrals, families' answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.district.consent_scenario import (
    COUNSELOR_ROSA,
    DATA_STEWARD_DANA,
    MARISOL,
    NIA,
    link_for,
    load_district,
)
from tests.district.outreach_helpers import (
    at,
    hub_envelope,
    outbox,
    outreach_request,
    pseudonym,
)
from tests.domain.consent_factory import draft
from youthbridge.district.hub_link import HubLink
from youthbridge.district.inbox import district_dispatch
from youthbridge.district.node import DistrictNode
from youthbridge.district.outreach import (
    apply_outreach_request,
    begin_outreach,
    outreach_queue,
    record_decision,
    refer_student,
)
from youthbridge.district.student_view import student_view
from youthbridge.domain.errors import AccessDenied, NotFound, Refused
from youthbridge.domain.referral import ReferralSource, ReferralState
from youthbridge.exchange.inbox import list_dead_letters, receive
from youthbridge.exchange.messages import AckStatus, MessageType
from youthbridge.exchange.parties import Party, PartyDirectory, PartyKind
from youthbridge.exchange.signing import generate_key, public_key_text, sign
from youthbridge.exchange.vocabulary import ConsentOutcome
from youthbridge.security.audit import AuditEntry
from youthbridge.storage.consent_tables import Referral, ReferralTransition


@pytest.fixture
def node(open_node: Callable[..., DistrictNode], tmp_path: Path) -> DistrictNode:
    district = open_node("T1")
    load_district(district, tmp_path / "export")
    return district


@pytest.fixture
def link(node: DistrictNode) -> HubLink:
    return link_for(node)


def _hub_asks(node: DistrictNode, day: date, *pseudonyms: str) -> None:
    apply = apply_outreach_request(node, clock=lambda: at(day, 8))
    with node.sessions.begin() as session:
        apply(session, hub_envelope(node, outreach_request(node, *pseudonyms)))


def _decline(
    node: DistrictNode, link: HubLink, day: date, outcome: ConsentOutcome
) -> None:
    [item] = outreach_queue(node, actor=COUNSELOR_ROSA)
    begin_outreach(
        node, actor=COUNSELOR_ROSA, referral_id=item.referral_id, now=at(day, 9)
    )
    record_decision(
        node,
        actor=COUNSELOR_ROSA,
        referral_id=item.referral_id,
        decision=outcome,
        reason="family-answered",
        now=at(day, 10),
        link=link,
    )


def test_a_hub_request_puts_the_reidentified_student_in_the_queue(
    node: DistrictNode,
) -> None:
    _hub_asks(node, date(2025, 1, 6), pseudonym(node, MARISOL))

    [item] = outreach_queue(node, actor=COUNSELOR_ROSA)
    assert (item.student_id, item.source, item.state) == (
        MARISOL,
        ReferralSource.HUB_OUTREACH_REQUEST,
        ReferralState.REQUESTED,
    )
    assert (item.reasons, item.offer) == (("chronic-absence",), "mentoring")


def test_an_unknown_pseudonym_refuses_the_request_and_queues_nobody(
    node: DistrictNode,
) -> None:
    known = pseudonym(node, MARISOL)

    with pytest.raises(NotFound) as refused:
        _hub_asks(node, date(2025, 1, 6), known, "T1-NOSUCHSTUDENT00000", "T1-OTHER")

    assert refused.value.code == "pseudonym:unknown"
    assert [problem.value for problem in refused.value.problems] == [
        "T1-NOSUCHSTUDENT00000",
        "T1-OTHER",
    ]
    assert outreach_queue(node, actor=COUNSELOR_ROSA) == []


def test_through_the_inbox_an_unknown_pseudonym_is_a_dead_letter(
    node: DistrictNode, link: HubLink
) -> None:
    hub_key = generate_key()
    parties = PartyDirectory(
        [
            Party("hub", PartyKind.HUB, public_key_text(hub_key)),
            Party(
                link.sender, PartyKind.DISTRICT, public_key_text(link.key), node.code
            ),
        ]
    )
    request = outreach_request(node, "T1-NOSUCHSTUDENT00000")
    envelope = sign(hub_envelope(node, request), hub_key)

    ack = receive(
        node.sessions, envelope, parties, district_dispatch(node), recipient=link.sender
    )

    assert ack.status is AckStatus.DEAD
    with node.sessions() as session:
        [dead] = list_dead_letters(session)
        assert session.scalars(select(Referral)).all() == []
    assert (dead.error or "").startswith("pseudonym:unknown: outreach request")


def test_a_request_for_another_district_is_refused(node: DistrictNode) -> None:
    request = outreach_request(node, pseudonym(node, MARISOL))
    elsewhere = request.model_copy(update={"district_code": "T9"})

    with pytest.raises(Refused) as refused, node.sessions.begin() as session:
        apply_outreach_request(node)(session, hub_envelope(node, elsewhere))

    assert refused.value.code == "outreach:district"


def test_a_request_for_a_student_already_in_the_queue_adds_no_second_row(
    node: DistrictNode,
) -> None:
    marisol = pseudonym(node, MARISOL)

    _hub_asks(node, date(2025, 1, 6), marisol)
    _hub_asks(node, date(2025, 1, 7), marisol)

    assert len(outreach_queue(node, actor=COUNSELOR_ROSA)) == 1


@pytest.mark.parametrize(
    "outcome", [ConsentOutcome.DECLINED, ConsentOutcome.UNREACHABLE]
)
def test_outreach_waits_180_days_after_a_decline_or_no_answer(
    node: DistrictNode, link: HubLink, outcome: ConsentOutcome
) -> None:
    marisol = pseudonym(node, MARISOL)
    _hub_asks(node, date(2025, 1, 6), marisol)
    _decline(node, link, date(2025, 1, 10), outcome)

    # 2025-01-10 + 180 days is 2025-07-09.
    with pytest.raises(Refused) as blocked:
        _hub_asks(node, date(2025, 7, 8), marisol)
    _hub_asks(node, date(2025, 7, 9), marisol)

    assert blocked.value.code == "outreach:blocked"
    assert "may start again on 2025-07-09" in blocked.value.problems[0].message
    assert len(outreach_queue(node, actor=COUNSELOR_ROSA)) == 1


def test_staff_referral_is_blocked_but_a_family_may_always_ask(
    node: DistrictNode, link: HubLink
) -> None:
    _hub_asks(node, date(2025, 1, 6), pseudonym(node, MARISOL))
    _decline(node, link, date(2025, 1, 10), ConsentOutcome.DECLINED)

    def refer(source: ReferralSource) -> object:
        return refer_student(
            node,
            actor=COUNSELOR_ROSA,
            student_id=MARISOL,
            source=source,
            reasons=("family-asked",),
            offer="mentoring",
            now=at(date(2025, 2, 3)),
        )

    with pytest.raises(Refused) as blocked:
        refer(ReferralSource.SCHOOL_STAFF)
    refer(ReferralSource.FAMILY_SELF)

    assert blocked.value.code == "outreach:blocked"
    [item] = outreach_queue(node, actor=COUNSELOR_ROSA)
    assert item.source is ReferralSource.FAMILY_SELF


def test_staff_and_family_referrals_join_the_same_queue(node: DistrictNode) -> None:
    for student, source in (
        (MARISOL, ReferralSource.SCHOOL_STAFF),
        (NIA, ReferralSource.FAMILY_SELF),
    ):
        refer_student(
            node,
            actor=COUNSELOR_ROSA,
            student_id=student,
            source=source,
            reasons=("counselor-concern",),
            offer="tutoring",
            now=at(date(2025, 2, 3)),
        )

    queue = outreach_queue(node, actor=COUNSELOR_ROSA)
    assert sorted((item.student_id, item.source) for item in queue) == [
        (MARISOL, ReferralSource.SCHOOL_STAFF),
        (NIA, ReferralSource.FAMILY_SELF),
    ]


def test_a_referral_for_a_student_the_district_does_not_hold_is_refused(
    node: DistrictNode,
) -> None:
    with pytest.raises(NotFound) as refused:
        refer_student(
            node,
            actor=COUNSELOR_ROSA,
            student_id="9999",
            source=ReferralSource.SCHOOL_STAFF,
            reasons=("counselor-concern",),
            offer="tutoring",
        )

    assert refused.value.code == "student:unknown"


def test_every_move_is_kept_with_the_counselor_time_and_reason(
    node: DistrictNode, link: HubLink
) -> None:
    _hub_asks(node, date(2025, 1, 6), pseudonym(node, MARISOL))
    _decline(node, link, date(2025, 1, 10), ConsentOutcome.DECLINED)

    with node.sessions() as session:
        moves = session.scalars(
            select(ReferralTransition).order_by(ReferralTransition.id)
        )
        history = [(m.from_state, m.to_state, m.by_account, m.reason) for m in moves]
    assert history == [
        (None, "requested", "hub", "hub-outreach-request"),
        ("requested", "in-outreach", "acct-rosa", "counselor-contacting"),
        ("in-outreach", "declined", "acct-rosa", "family-answered"),
    ]


def test_a_decline_tells_the_hub_the_outcome_code_and_nothing_else(
    node: DistrictNode, link: HubLink
) -> None:
    marisol = pseudonym(node, MARISOL)
    _hub_asks(node, date(2025, 1, 6), marisol)

    _decline(node, link, date(2025, 1, 10), ConsentOutcome.DECLINED)

    [outcome] = outbox(node)
    assert outcome.keys() == {"type", "version", "request_id", "pseudonym", "result"}
    assert (outcome["type"], outcome["pseudonym"], outcome["result"]) == (
        MessageType.OUTREACH_OUTCOME,
        marisol,
        "declined",
    )


def test_a_decline_after_a_staff_referral_tells_the_hub_nothing(
    node: DistrictNode, link: HubLink
) -> None:
    refer_student(
        node,
        actor=COUNSELOR_ROSA,
        student_id=MARISOL,
        source=ReferralSource.SCHOOL_STAFF,
        reasons=("counselor-concern",),
        offer="tutoring",
    )

    _decline(node, link, date(2025, 1, 10), ConsentOutcome.DECLINED)

    assert outbox(node) == []


def test_nothing_about_a_decline_appears_in_the_student_view(
    node: DistrictNode, link: HubLink
) -> None:
    before = student_view(node, actor=COUNSELOR_ROSA, student_id=MARISOL)
    _hub_asks(node, date(2025, 1, 6), pseudonym(node, MARISOL))

    _decline(node, link, date(2025, 1, 10), ConsentOutcome.DECLINED)

    after = student_view(node, actor=COUNSELOR_ROSA, student_id=MARISOL)
    assert after == before
    shown = repr(after).lower()
    for word in ("declin", "outreach", "referral", "unreachable", "mentoring"):
        assert word not in shown
    assert outreach_queue(node, actor=COUNSELOR_ROSA) == []


def test_an_acceptance_needs_the_signed_consent(
    node: DistrictNode, link: HubLink
) -> None:
    _hub_asks(node, date(2025, 1, 6), pseudonym(node, MARISOL))
    [item] = outreach_queue(node, actor=COUNSELOR_ROSA)
    begin_outreach(node, actor=COUNSELOR_ROSA, referral_id=item.referral_id)

    with pytest.raises(Refused) as refused:
        record_decision(
            node,
            actor=COUNSELOR_ROSA,
            referral_id=item.referral_id,
            decision=ConsentOutcome.ACCEPTED,
            reason="family-agreed",
            link=link,
        )

    assert refused.value.code == "referral:consent"


def test_an_acceptance_names_the_hubs_request_which_the_hub_knows(
    node: DistrictNode, link: HubLink
) -> None:
    request = outreach_request(node, pseudonym(node, MARISOL))
    apply = apply_outreach_request(node, clock=lambda: at(date(2025, 1, 6), 8))
    with node.sessions.begin() as session:
        apply(session, hub_envelope(node, request))
    [item] = outreach_queue(node, actor=COUNSELOR_ROSA)
    day = date(2025, 1, 7)
    begin_outreach(
        node, actor=COUNSELOR_ROSA, referral_id=item.referral_id, now=at(day, 9)
    )

    record_decision(
        node,
        actor=COUNSELOR_ROSA,
        referral_id=item.referral_id,
        decision=ConsentOutcome.ACCEPTED,
        reason="family-signed",
        consent=draft(signed_on=day),
        now=at(day, 10),
        link=link,
    )

    [notice] = outbox(node, MessageType.CONSENT_NOTICE)
    assert notice["referral_id"] == str(request.request_id)


def test_an_answer_before_outreach_began_is_an_illegal_move(
    node: DistrictNode, link: HubLink
) -> None:
    _hub_asks(node, date(2025, 1, 6), pseudonym(node, MARISOL))
    [item] = outreach_queue(node, actor=COUNSELOR_ROSA)

    with pytest.raises(Refused) as refused:
        record_decision(
            node,
            actor=COUNSELOR_ROSA,
            referral_id=item.referral_id,
            decision=ConsentOutcome.DECLINED,
            reason="family-answered",
            link=link,
        )

    assert refused.value.code == "referral:transition"
    assert "from `requested` to `declined`" in refused.value.message


def test_the_data_steward_may_see_the_queue_but_not_answer_for_a_family(
    node: DistrictNode, link: HubLink
) -> None:
    _hub_asks(node, date(2025, 1, 6), pseudonym(node, MARISOL))
    [item] = outreach_queue(node, actor=DATA_STEWARD_DANA)

    with pytest.raises(AccessDenied):
        begin_outreach(node, actor=DATA_STEWARD_DANA, referral_id=item.referral_id)


def test_each_counselor_step_is_audited_under_the_pseudonym(
    node: DistrictNode, link: HubLink
) -> None:
    marisol = pseudonym(node, MARISOL)
    _hub_asks(node, date(2025, 1, 6), marisol)
    _decline(node, link, date(2025, 1, 10), ConsentOutcome.DECLINED)

    with node.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).order_by(AuditEntry.sequence)
        ).all()
    steps = [
        (e.action, e.actor_account_id, e.subject, e.details["step"]) for e in entries
    ]
    assert steps == [
        ("outreach:decide", "acct-rosa", marisol, "in-outreach"),
        ("outreach:decide", "acct-rosa", marisol, "declined"),
    ]
