"""The case state machine: which status may follow which, and what a move needs.

A case opens when a family accepts a referral, becomes active once work with
the student starts, may be put on hold and resumed, and is closed for good.

| from \\ to | open | active | on-hold | closed |
| --- | --- | --- | --- | --- |
| open | - | yes | yes | yes |
| active | - | - | yes | yes |
| on-hold | - | yes | - | yes |
| closed | - | - | - | - |

Every move is made by a named person, at a timezone-aware time, for a reason
given as a code: a status history is shown to supervisors and summarised to
schools, so it holds no sentence that a person typed. A closing carries the
outcome a school is told and one reason from `CloseReason`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from youthbridge.domain.errors import Refused
from youthbridge.exchange.vocabulary import CaseOutcome


class CaseStatus(StrEnum):
    OPEN = "open"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    CLOSED = "closed"


class CloseReason(StrEnum):
    """Why a case closed; the only reasons a closing may give."""

    GOALS_MET = "goals-met"
    FAMILY_WITHDREW = "family-withdrew"
    MOVED_AWAY = "moved-away"
    UNABLE_TO_CONTACT = "unable-to-contact"
    SERVICES_NO_LONGER_NEEDED = "services-no-longer-needed"


_S = CaseStatus

ALLOWED: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    _S.OPEN: frozenset({_S.ACTIVE, _S.ON_HOLD, _S.CLOSED}),
    _S.ACTIVE: frozenset({_S.ON_HOLD, _S.CLOSED}),
    _S.ON_HOLD: frozenset({_S.ACTIVE, _S.CLOSED}),
    _S.CLOSED: frozenset(),
}

_REASON_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REASON_MAX = 64


@dataclass(frozen=True)
class Closure:
    """How a case ended: what schools are told, and why it closed."""

    outcome: CaseOutcome
    reason: CloseReason


@dataclass(frozen=True)
class Transition:
    """One move of a case from one status to another, by whom, when and why."""

    from_status: CaseStatus
    to_status: CaseStatus
    by: str
    at: datetime
    reason: str
    closure: Closure | None = None


def transition(
    current: CaseStatus,
    to: CaseStatus,
    *,
    by: str,
    at: datetime,
    reason: str,
    outcome: CaseOutcome | None = None,
) -> Transition:
    """The move from `current` to `to`, or Refused saying why it may not be made."""
    if to not in ALLOWED[current]:
        raise Refused(
            f"A case that is {current} cannot become {to}. From {current} it may"
            f" become: {_choices(current)}.",
            code="case:transition",
        )
    _check_actor_and_time(by, at)

    closure = _closure(to, reason, outcome)
    if closure is None:
        _check_reason_code(reason)
    return Transition(current, to, by, at.astimezone(UTC), reason, closure)


def _choices(current: CaseStatus) -> str:
    allowed = [str(status) for status in CaseStatus if status in ALLOWED[current]]
    return ", ".join(allowed) if allowed else "nothing (it is final)"


def _check_actor_and_time(by: str, at: datetime) -> None:
    if not by.strip():
        raise Refused(
            "A case changes status only by a named person; give who made the change.",
            code="case:transition-actor",
        )
    if at.tzinfo is None or at.utcoffset() is None:
        raise Refused(
            "The time of a status change must carry its time zone.",
            code="case:transition-time",
        )


def _closure(
    to: CaseStatus, reason: str, outcome: CaseOutcome | None
) -> Closure | None:
    if to is not CaseStatus.CLOSED:
        if outcome is not None:
            raise Refused(
                "Only a closing carries an outcome.", code="case:transition-outcome"
            )
        return None
    if outcome is None:
        raise Refused(
            "Closing a case needs the outcome that the school will be told.",
            code="case:transition-outcome",
        )
    try:
        close_reason = CloseReason(reason)
    except ValueError:
        known = ", ".join(str(item) for item in CloseReason)
        raise Refused(
            f"A case closes for one of these reasons: {known}.",
            code="case:close-reason",
        ) from None
    return Closure(outcome, close_reason)


def _check_reason_code(reason: str) -> None:
    # The refused value is not repeated: it may be the very sentence this
    # check keeps out of the history.
    if len(reason) > _REASON_MAX or not _REASON_CODE.match(reason):
        raise Refused(
            "A status change gives its reason as a short code in lowercase words"
            " joined by hyphens (such as `family-request`), not as free text.",
            code="case:transition-reason",
        )
