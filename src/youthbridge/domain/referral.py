"""A referral's life: from the first request to a family's answer, and its end.

A referral comes from the hub's outreach request, from school staff, or from the
family itself. Every move from one state to another is made by a named person
(an account id), at a time, for a reason given as a code, and only along the
fixed table below; any other move is refused and names both states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.errors import Problem, Refused


class ReferralState(StrEnum):
    REQUESTED = "requested"
    IN_OUTREACH = "in-outreach"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class ReferralSource(StrEnum):
    """Who asked for the family to be offered help."""

    HUB_OUTREACH_REQUEST = "hub-outreach-request"
    SCHOOL_STAFF = "school-staff-referral"
    FAMILY_SELF = "family-self-referral"


_S = ReferralState

# The whole of the state machine. A declined or withdrawn referral is final: a
# family that changes its mind refers itself again, which starts a new one. An
# unreachable family that gets in touch later goes back into outreach.
LEGAL_TRANSITIONS: dict[ReferralState, frozenset[ReferralState]] = {
    _S.REQUESTED: frozenset({_S.IN_OUTREACH, _S.WITHDRAWN}),
    _S.IN_OUTREACH: frozenset({_S.ACCEPTED, _S.DECLINED, _S.UNREACHABLE, _S.WITHDRAWN}),
    _S.ACCEPTED: frozenset({_S.CLOSED}),
    _S.DECLINED: frozenset(),
    _S.UNREACHABLE: frozenset({_S.IN_OUTREACH}),
    _S.WITHDRAWN: frozenset(),
    _S.CLOSED: frozenset(),
}

# The states whose referral is still being worked on: a new one is not opened.
OPEN_STATES = frozenset({_S.REQUESTED, _S.IN_OUTREACH, _S.ACCEPTED})

# The answers after which outreach waits for the agreement's block period.
BLOCKING_STATES = frozenset({_S.DECLINED, _S.UNREACHABLE})

_REASON = re.compile(r"^[a-z0-9]+(?:[-:][a-z0-9]+)*$")


@dataclass(frozen=True)
class Transition:
    """One move of one referral: from, to, by whom, when and why."""

    from_state: ReferralState | None
    to_state: ReferralState
    by: str
    at: datetime
    reason: str


def can_transition(current: ReferralState, to: ReferralState) -> bool:
    """Whether the table allows moving a referral from `current` to `to`."""
    return to in LEGAL_TRANSITIONS[current]


def start(*, source: ReferralSource, by: str, at: datetime) -> Transition:
    """The first entry of a referral's history: it is requested."""
    return _checked(None, _S.REQUESTED, by=by, at=at, reason=str(source))


def transition(
    current: ReferralState, to: ReferralState, *, by: str, at: datetime, reason: str
) -> Transition:
    """The move from `current` to `to`, or Refused when the table forbids it."""
    if not can_transition(current, to):
        allowed = ", ".join(sorted(LEGAL_TRANSITIONS[current])) or "none"
        raise Refused(
            f"a referral cannot go from `{current}` to `{to}`;"
            f" from `{current}` it may go to: {allowed}",
            code="referral:transition",
        )
    return _checked(current, to, by=by, at=at, reason=reason)


def _checked(
    current: ReferralState | None,
    to: ReferralState,
    *,
    by: str,
    at: datetime,
    reason: str,
) -> Transition:
    problems = []
    if not by.strip():
        problems.append(_problem("by", "names the account of the person acting"))
    if at.tzinfo is None:
        problems.append(_problem("at", "is a time with its time zone"))
    if not _REASON.fullmatch(reason):
        # Reasons are codes, never sentences: a sentence can carry a family's
        # story into a record that other people read.
        problems.append(_problem("reason", "is a code such as `family-declined`"))
    if problems:
        raise Refused(
            f"the referral move to `{to}` is incomplete",
            code="referral:transition",
            problems=problems,
        )
    return Transition(current, to, by, at, reason)


def _problem(column: str, what: str) -> Problem:
    return Problem(
        file="referral",
        line=None,
        column=column,
        value=None,
        rule="referral:transition",
        message=f"a referral move's `{column}` {what}",
    )


def outreach_allowed_from(answered_on: date, agreement: Agreement) -> date:
    """The first day outreach may start again after a decline or no answer."""
    return answered_on + timedelta(days=agreement.re_outreach_block_days)
