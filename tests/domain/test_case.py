"""The case state machine: every from-to pair against the table in the design."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from youthbridge.domain.case import CaseStatus, CloseReason, Transition, transition
from youthbridge.domain.errors import Refused
from youthbridge.exchange.vocabulary import CaseOutcome

OP, AC, OH, CL = (
    CaseStatus.OPEN,
    CaseStatus.ACTIVE,
    CaseStatus.ON_HOLD,
    CaseStatus.CLOSED,
)
AT = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)
ANA = "acct-ana"

# Written out by hand, row by row, from the case workflow: True where the move
# is allowed.
EXPECTED = {
    (OP, OP): False, (OP, AC): True, (OP, OH): True, (OP, CL): True,
    (AC, OP): False, (AC, AC): False, (AC, OH): True, (AC, CL): True,
    (OH, OP): False, (OH, AC): True, (OH, OH): False, (OH, CL): True,
    (CL, OP): False, (CL, AC): False, (CL, OH): False, (CL, CL): False,
}  # fmt: skip


def _move(current: CaseStatus, to: CaseStatus) -> Transition:
    if to is CaseStatus.CLOSED:
        return transition(
            current,
            to,
            by=ANA,
            at=AT,
            reason="goals-met",
            outcome=CaseOutcome.GOALS_MET,
        )
    return transition(current, to, by=ANA, at=AT, reason="family-request")


def test_the_table_covers_every_pair() -> None:
    assert len(EXPECTED) == len(CaseStatus) ** 2


@pytest.mark.parametrize(("current", "to"), sorted(EXPECTED))
def test_every_move_is_allowed_or_refused_as_the_table_says(
    current: CaseStatus, to: CaseStatus
) -> None:
    if EXPECTED[(current, to)]:
        move = _move(current, to)
        assert (move.from_status, move.to_status) == (current, to)
    else:
        with pytest.raises(Refused) as refused:
            _move(current, to)
        assert refused.value.code == "case:transition"


def test_a_move_keeps_who_when_and_why() -> None:
    move = transition(OP, AC, by=ANA, at=AT, reason="first-meeting-held")

    assert (move.from_status, move.to_status) == (OP, AC)
    assert (move.by, move.at, move.reason) == (ANA, AT, "first-meeting-held")
    assert move.closure is None


def test_a_closing_carries_its_outcome_and_reason() -> None:
    move = transition(
        AC, CL, by=ANA, at=AT, reason="moved-away", outcome=CaseOutcome.TRANSFERRED
    )

    assert move.closure is not None
    assert move.closure.outcome is CaseOutcome.TRANSFERRED
    assert move.closure.reason is CloseReason.MOVED_AWAY


def test_the_close_reasons_are_the_fixed_list() -> None:
    assert [reason.value for reason in CloseReason] == [
        "goals-met",
        "family-withdrew",
        "moved-away",
        "unable-to-contact",
        "services-no-longer-needed",
    ]


@pytest.mark.parametrize(
    ("reason", "outcome", "code"),
    [
        ("tired-of-it", CaseOutcome.GOALS_MET, "case:close-reason"),
        ("goals-met", None, "case:transition-outcome"),
    ],
)
def test_a_closing_needs_a_listed_reason_and_an_outcome(
    reason: str, outcome: CaseOutcome | None, code: str
) -> None:
    with pytest.raises(Refused) as refused:
        transition(AC, CL, by=ANA, at=AT, reason=reason, outcome=outcome)

    assert refused.value.code == code


def test_a_reason_is_a_code_and_free_text_is_refused_without_being_repeated() -> None:
    sentence = "Mum said he is staying with his aunt on Elm Street"

    with pytest.raises(Refused) as refused:
        transition(AC, OH, by=ANA, at=AT, reason=sentence)

    assert refused.value.code == "case:transition-reason"
    assert "Elm" not in refused.value.message


def test_a_move_needs_a_named_person_and_an_aware_time() -> None:
    with pytest.raises(Refused) as nobody:
        transition(OP, AC, by=" ", at=AT, reason="first-meeting-held")
    wall_clock = datetime(2025, 3, 14, 15, 30)  # noqa: DTZ001 (the case tested)
    with pytest.raises(Refused) as naive:
        transition(OP, AC, by=ANA, at=wall_clock, reason="first-meeting-held")

    assert nobody.value.code == "case:transition-actor"
    assert naive.value.code == "case:transition-time"
