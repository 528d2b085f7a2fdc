"""The referral state machine: every move between two states, allowed or refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.errors import Refused
from youthbridge.domain.referral import (
    ReferralSource,
    ReferralState,
    outreach_allowed_from,
    start,
    transition,
)

COUNSELOR_ROSA = "acct-rosa"
AT = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)

# Written out by hand, row by row, from the issue: the test's own copy of the
# table, so that a change to the code's table is a change to this one too.
ALLOWED = {
    ("requested", "in-outreach"),
    ("requested", "withdrawn"),
    ("in-outreach", "accepted"),
    ("in-outreach", "declined"),
    ("in-outreach", "unreachable"),
    ("in-outreach", "withdrawn"),
    ("accepted", "closed"),
    ("unreachable", "in-outreach"),
}
STATES = [
    "requested",
    "in-outreach",
    "accepted",
    "declined",
    "unreachable",
    "withdrawn",
    "closed",
]
MATRIX = [(a, b) for a in STATES for b in STATES]


@pytest.mark.parametrize(("current", "to"), MATRIX)
def test_every_move_is_allowed_or_refused_as_the_table_says(
    current: str, to: str
) -> None:
    if (current, to) in ALLOWED:
        move = transition(
            ReferralState(current),
            ReferralState(to),
            by=COUNSELOR_ROSA,
            at=AT,
            reason="counselor-call",
        )
        assert (move.from_state, move.to_state, move.by) == (
            current,
            to,
            COUNSELOR_ROSA,
        )
        return

    with pytest.raises(Refused) as refused:
        transition(
            ReferralState(current),
            ReferralState(to),
            by=COUNSELOR_ROSA,
            at=AT,
            reason="counselor-call",
        )
    assert refused.value.code == "referral:transition"
    assert f"from `{current}` to `{to}`" in refused.value.message


def test_the_states_in_the_test_are_all_the_states() -> None:
    assert sorted(STATES) == sorted(state.value for state in ReferralState)


def test_a_referral_starts_requested_with_its_source_as_reason() -> None:
    first = start(source=ReferralSource.FAMILY_SELF, by=COUNSELOR_ROSA, at=AT)

    assert (first.from_state, first.to_state, first.reason) == (
        None,
        ReferralState.REQUESTED,
        "family-self-referral",
    )


def test_a_move_without_person_time_zone_or_coded_reason_lists_all_three() -> None:
    with pytest.raises(Refused) as refused:
        transition(
            ReferralState.IN_OUTREACH,
            ReferralState.DECLINED,
            by=" ",
            at=datetime(2025, 3, 3, 9, 30),  # noqa: DTZ001 (the mistake under test)
            reason="Mum said no because of work",
        )

    assert [problem.column for problem in refused.value.problems] == [
        "by",
        "at",
        "reason",
    ]


def test_outreach_may_start_again_180_days_after_a_decline() -> None:
    # 2025-01-10 + 180 days: 21 left in January, then 28+31+30+31+30, then 9.
    assert outreach_allowed_from(date(2025, 1, 10), Agreement()) == date(2025, 7, 9)
