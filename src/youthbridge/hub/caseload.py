"""Caseloads: the cases a person works on, and a supervisor's view of a team.

A caseload lists cases by pseudonym with their status, consent expiry and the
last contact: no record, goal or note, so it shows nothing the consent guards.
Which cases it lists is decided by the same rule as the case door
(`access.case_refusal`), so a list never offers a case that the door would
refuse, and each listing is audited with how many cases it showed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from youthbridge.domain.case import CaseStatus
from youthbridge.hub.access import case_refusal
from youthbridge.hub.node import HubNode
from youthbridge.security import audit
from youthbridge.security.accounts import Account
from youthbridge.security.permissions import Permission, require
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import CaseNoteRow, CaseRow

# A case manager is expected to be in touch with an open case at least every
# two weeks; a case left longer is shown to the supervisor as overdue.
# TODO: make this a term of the agreement once the partners settle on one.
FOLLOW_UP_DAYS = 14


@dataclass(frozen=True)
class CaseSummary:
    """One line of a caseload: codes and dates, nothing identified."""

    case_id: uuid.UUID
    pseudonym: str
    district_code: str
    status: str
    assigned_to: str | None
    team: str | None
    consent_expires_on: date
    consent_live: bool
    last_contact_at: datetime | None
    follow_up_due: date | None

    def overdue(self, on: date) -> bool:
        return self.follow_up_due is not None and self.follow_up_due < on


@dataclass(frozen=True)
class TeamCaseload:
    """A team's open cases by who holds them (None: waiting in the queue)."""

    team: str | None
    by_holder: dict[str | None, tuple[CaseSummary, ...]]
    holders: dict[str, str]  # account id to username
    overdue: tuple[CaseSummary, ...]


def caseload(hub: HubNode, *, actor: Account) -> list[CaseSummary]:
    """The cases assigned to the actor, and those waiting in their team's queue."""
    require(actor, Permission.CASE_VIEW)
    with hub.sessions.begin() as session:
        mine = [
            case
            for case in _candidates(session, actor)
            if case_refusal(actor, case, Permission.CASE_VIEW) is None
            and (case.assigned_to == actor.id or case.assigned_to is None)
        ]
        listed = _summaries(session, mine)
        _audit(session, actor, Permission.CASE_VIEW, "caseload", len(listed))
    return listed


def team_caseload(hub: HubNode, *, actor: Account) -> TeamCaseload:
    """Every open case of the supervisor's team, by holder, and those overdue."""
    require(actor, Permission.CASELOAD_TEAM_VIEW)
    today = utcnow().date()
    with hub.sessions.begin() as session:
        cases = [
            case
            for case in _candidates(session, actor)
            if case_refusal(actor, case, Permission.CASE_VIEW) is None
            and case.status != CaseStatus.CLOSED.value
        ]
        listed = _summaries(session, cases)
        holders = _usernames(session, {c.assigned_to for c in listed})
        _audit(session, actor, Permission.CASELOAD_TEAM_VIEW, "team", len(listed))
    by_holder: dict[str | None, list[CaseSummary]] = {}
    for summary in listed:
        by_holder.setdefault(summary.assigned_to, []).append(summary)
    return TeamCaseload(
        team=actor.team,
        by_holder={key: tuple(value) for key, value in by_holder.items()},
        holders=holders,
        overdue=tuple(summary for summary in listed if summary.overdue(today)),
    )


def _candidates(session: Session, actor: Account) -> list[CaseRow]:
    # Only the actor's own cases and their team's can pass the door's rule;
    # the rule itself still decides, case by case.
    ours = CaseRow.assigned_to == actor.id
    if actor.team is not None:
        ours = ours | (CaseRow.team == actor.team)
    query = select(CaseRow).where(ours).order_by(CaseRow.opened_at, CaseRow.id)
    return list(session.scalars(query))


def _summaries(session: Session, cases: list[CaseRow]) -> list[CaseSummary]:
    contacts = _last_contacts(session, [case.id for case in cases])
    today = utcnow().date()
    return [
        CaseSummary(
            case_id=case.id,
            pseudonym=case.pseudonym,
            district_code=case.district_code,
            status=case.status,
            assigned_to=case.assigned_to,
            team=case.team,
            consent_expires_on=case.consent_expires_on,
            consent_live=case.consent_ended_at is None
            and case.consent_expires_on >= today,
            last_contact_at=contacts.get(case.id),
            follow_up_due=_follow_up_due(case, contacts.get(case.id)),
        )
        for case in cases
    ]


def _follow_up_due(case: CaseRow, last_contact: datetime | None) -> date | None:
    if case.status == CaseStatus.CLOSED.value or case.consent_ended_at is not None:
        return None
    since = last_contact or case.opened_at
    return (since + timedelta(days=FOLLOW_UP_DAYS)).date()


def _last_contacts(
    session: Session, case_ids: list[uuid.UUID]
) -> dict[uuid.UUID, datetime]:
    if not case_ids:
        return {}
    query = (
        select(CaseNoteRow.case_id, func.max(CaseNoteRow.contacted_at))
        .where(CaseNoteRow.case_id.in_(case_ids))
        .group_by(CaseNoteRow.case_id)
    )
    return {row[0]: row[1] for row in session.execute(query)}


def _usernames(session: Session, ids: set[str | None]) -> dict[str, str]:
    wanted = [item for item in ids if item is not None]
    if not wanted:
        return {}
    query = select(Account.id, Account.username).where(Account.id.in_(wanted))
    return {row[0]: row[1] for row in session.execute(query)}


def _audit(
    session: Session, actor: Account, action: Permission, view: str, count: int
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        details={"event": f"caseload:{view}", "cases": count},
    )
