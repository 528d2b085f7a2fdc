"""The case manager's pages: the caseload, a team's caseloads, and one case.

Every page reads through hub/caseload.py or hub/casefile.py and every change goes
through hub/cases.py or hub/progress.py, so that the case door checks and audits
each of them. A case file opens only for a purpose the person chooses, and only
after a recent second factor, which the guard asks for since `case:view` shows
a named student's records.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from youthbridge.domain.agreement import Purpose
from youthbridge.exchange.vocabulary import ServiceCategory
from youthbridge.hub.access import CASE_PURPOSES
from youthbridge.hub.casefile import case_file
from youthbridge.hub.caseload import caseload, team_caseload
from youthbridge.hub.cases import (
    ContactKind,
    add_contact_note,
    add_goal,
    refer_to_service,
    start_service,
)
from youthbridge.hub.directory import search_services
from youthbridge.hub.progress import send_progress
from youthbridge.security.permissions import Permission
from youthbridge.storage.base import utcnow
from youthbridge.web.common.guard import Caller, requires, site_of
from youthbridge.web.common.rendering import render
from youthbridge.web.hub.outreach_form import hub_of

router = APIRouter(include_in_schema=False)

# The codes a case manager sends by hand; a service's start and a case's close
# send theirs when they happen.
HAND_CODES = ("enrolled", "engaged", "goal-progress")
DONE = ("progress", "goal", "plan", "started", "note")
_PURPOSES = sorted(str(purpose) for purpose in CASE_PURPOSES)
_SERVICES_SHOWN = 100


@router.get("/caseload")
def caseload_page(
    request: Request, caller: Annotated[Caller, requires(Permission.CASE_VIEW)]
) -> Response:
    cases = caseload(hub_of(request), actor=caller.account)
    return render(
        request,
        "hub/caseload.html",
        caller=caller,
        cases=cases,
        today=utcnow().date(),
        may_see_team=caller.may(Permission.CASELOAD_TEAM_VIEW),
    )


@router.get("/caseload/team")
def team_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CASELOAD_TEAM_VIEW)],
) -> Response:
    team = team_caseload(hub_of(request), actor=caller.account)
    return render(
        request, "hub/team.html", caller=caller, team=team, today=utcnow().date()
    )


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CASE_VIEW)],
    case_id: uuid.UUID,
    purpose: Annotated[str, Query(max_length=32)] = Purpose.CASE_MANAGEMENT.value,
    q: Annotated[str, Query(max_length=200)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    hub = hub_of(request)
    opened = case_file(hub, actor=caller.account, case_id=case_id, purpose=purpose)
    every = search_services(hub)
    services = search_services(hub, q) if q.strip() else every
    return render(
        request,
        "hub/case.html",
        caller=caller,
        case=opened,
        purpose=purpose,
        purposes=_PURPOSES,
        progress_sent=[e for e in opened.timeline if e.kind == "progress:sent"],
        hand_codes=HAND_CODES,
        services=services[:_SERVICES_SHOWN],
        service_names={service.service_id: service.name for service in every},
        categories=[item.value for item in ServiceCategory],
        contact_kinds=[item.value for item in ContactKind],
        q=q,
        done=done if done in DONE else "",
        now=utcnow().strftime("%Y-%m-%dT%H:%M"),
        may_manage=caller.may(Permission.CASE_MANAGE),
        may_note=caller.may(Permission.CASE_NOTE_ADD),
        may_send=caller.may(Permission.PROGRESS_SEND),
    )


@router.post("/cases/{case_id}/progress")
def progress_post(
    request: Request,
    caller: Annotated[Caller, requires(Permission.PROGRESS_SEND)],
    case_id: uuid.UUID,
    code: Annotated[list[str] | None, Form()] = None,
    purpose: Annotated[str, Form(max_length=32)] = Purpose.CASE_MANAGEMENT.value,
) -> Response:
    hub = hub_of(request)
    send_progress(hub, actor=caller.account, case_id=case_id, codes=code or [])
    site_of(request).after_change()
    return _back(case_id, purpose, done="progress")


@router.post("/cases/{case_id}/goals")
def goal_post(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CASE_MANAGE)],
    case_id: uuid.UUID,
    text: Annotated[str, Form(max_length=2000)],
    purpose: Annotated[str, Form(max_length=32)] = Purpose.CASE_MANAGEMENT.value,
) -> Response:
    add_goal(hub_of(request), actor=caller.account, case_id=case_id, text=text)
    return _back(case_id, purpose, done="goal")


@router.post("/cases/{case_id}/plan")
def plan_post(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CASE_MANAGE)],
    case_id: uuid.UUID,
    service_id: Annotated[str, Form(min_length=1, max_length=64)],
    category: Annotated[ServiceCategory | None, Form()] = None,
    purpose: Annotated[str, Form(max_length=32)] = Purpose.CASE_MANAGEMENT.value,
) -> Response:
    refer_to_service(
        hub_of(request),
        actor=caller.account,
        case_id=case_id,
        service_id=service_id,
        category=category,
    )
    return _back(case_id, purpose, done="plan")


@router.post("/cases/{case_id}/plan/{item_id}/start")
def start_post(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CASE_MANAGE)],
    case_id: uuid.UUID,
    item_id: int,
    purpose: Annotated[str, Form(max_length=32)] = Purpose.CASE_MANAGEMENT.value,
) -> Response:
    hub = hub_of(request)
    start_service(hub, actor=caller.account, case_id=case_id, item_id=item_id)
    site_of(request).after_change()
    return _back(case_id, purpose, done="started")


@router.post("/cases/{case_id}/notes")
def note_post(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CASE_NOTE_ADD)],
    case_id: uuid.UUID,
    contact_kind: Annotated[ContactKind, Form()],
    contacted_at: Annotated[datetime, Form()],
    text: Annotated[str, Form(max_length=4000)],
    purpose: Annotated[str, Form(max_length=32)] = Purpose.CASE_MANAGEMENT.value,
) -> Response:
    # The form's time has no zone; the page says it is UTC, as every time shown.
    moment = contacted_at if contacted_at.tzinfo else contacted_at.replace(tzinfo=UTC)
    add_contact_note(
        hub_of(request),
        actor=caller.account,
        case_id=case_id,
        contact_kind=contact_kind,
        contacted_at=moment,
        text=text,
    )
    return _back(case_id, purpose, done="note")


def _back(case_id: uuid.UUID, purpose: str, *, done: str) -> Response:
    query = urlencode({"purpose": purpose, "done": done})
    return RedirectResponse(f"/cases/{case_id}?{query}", status_code=303)
