"""The door to a case: who may see or change it, decided and audited in one place.

A case is reachable only through `through_door`. It loads the case, decides
whether the acting person may use the permission on it, and writes the audit
entry (allowed or refused) in the same transaction as the work. A refusal is
committed with its audit entry and then raised, so that every attempt is on the
record; the error names the rule, never the student.

Who may reach a case, once the role holds the permission:

- the case manager it is assigned to;
- a supervisor of the case's team;
- anyone on the case's team while the case waits unassigned in the team queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from youthbridge.domain.agreement import Purpose
from youthbridge.domain.errors import AccessDenied, NotFound, YouthbridgeError
from youthbridge.hub.node import HubNode
from youthbridge.security import audit
from youthbridge.security.accounts import Account
from youthbridge.security.audit import Outcome
from youthbridge.security.permissions import Permission, Role, allowed
from youthbridge.storage.case_tables import CaseRow

T = TypeVar("T")

# Identified records serve the work with the student and nothing else: trend
# analysis and evaluation run on de-identified data.
CASE_PURPOSES = frozenset({Purpose.CASE_MANAGEMENT, Purpose.SERVICE_REFERRAL})


def case_refusal(
    actor: Account, case: CaseRow, permission: Permission
) -> AccessDenied | None:
    """Why the actor may not use `permission` on this case, or None if they may."""
    if actor.disabled or not allowed(actor.role, permission):
        return AccessDenied(
            f"Your role ({actor.role}) does not allow `{permission}`. "
            "Ask your administrator if your work needs it.",
            code="access:denied",
        )
    if case.assigned_to is not None and case.assigned_to == actor.id:
        return None
    on_team = actor.team is not None and actor.team == case.team
    if on_team and (actor.role is Role.SUPERVISOR or case.assigned_to is None):
        return None
    return AccessDenied(
        "This case is not assigned to you or waiting in your team's queue. "
        "Ask a supervisor of the case's team to assign it if your work needs it.",
        code="access:case",
    )


def purpose_refusal(hub: HubNode, purpose: Purpose | None) -> AccessDenied | None:
    """Why identified records may not be shown for this purpose, or None."""
    if purpose in CASE_PURPOSES and purpose in hub.agreement.purposes:
        return None
    known = ", ".join(f"`{item}`" for item in sorted(CASE_PURPOSES))
    return AccessDenied(
        f"A case file is opened only for one of these purposes: {known}.",
        code="access:purpose",
    )


def through_door(
    hub: HubNode,
    *,
    actor: Account,
    case_id: uuid.UUID,
    permission: Permission,
    event: str,
    work: Callable[[Session, CaseRow], T],
    purpose: Purpose | None = None,
) -> T:
    """Run `work` on the case if the actor may, auditing the attempt either way."""
    refusal: YouthbridgeError | None = None
    with hub.sessions.begin() as session:
        case = session.get(CaseRow, case_id, with_for_update=True)
        refusal = _refusal(hub, actor, case, permission, purpose)
        if refusal is None and case is not None:
            result = work(session, case)
        _record(session, actor, permission, case_id, case, event, purpose, refusal)
    if refusal is not None:
        raise refusal
    return result


def _refusal(
    hub: HubNode,
    actor: Account,
    case: CaseRow | None,
    permission: Permission,
    purpose: Purpose | None,
) -> YouthbridgeError | None:
    if case is None:
        return NotFound("There is no such case.", code="case:unknown")
    refusal = case_refusal(actor, case, permission)
    if refusal is None and permission is Permission.CASE_VIEW:
        refusal = purpose_refusal(hub, purpose)
    return refusal


def _record(
    session: Session,
    actor: Account,
    permission: Permission,
    case_id: uuid.UUID,
    case: CaseRow | None,
    event: str,
    purpose: Purpose | None,
    refusal: YouthbridgeError | None,
) -> None:
    details: dict[str, str] = {"case_id": str(case_id), "event": event}
    if refusal is not None:
        details["refused"] = refusal.code
    audit.record(
        session,
        actor=actor,
        action=permission,
        outcome=Outcome.ALLOW if refusal is None else Outcome.DENY,
        purpose=purpose,
        subject=None if case is None else case.pseudonym,
        details=details,
    )
