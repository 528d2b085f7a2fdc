"""The counselor's outreach queue and the family's answer when it is no.

An acceptance is the family's signed release, recorded by consent_form.py.

Outreach is shown only to roles that hold `outreach:view`; no page that school
staff see otherwise says whether a family was asked or what it answered.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from youthbridge.district.outreach import (
    begin_outreach,
    outreach_queue,
    record_decision,
)
from youthbridge.exchange.vocabulary import ConsentOutcome
from youthbridge.security.permissions import Permission
from youthbridge.web.common.guard import Caller, requires, site_of
from youthbridge.web.common.rendering import render
from youthbridge.web.district.sources import node_of

router = APIRouter(include_in_schema=False)

_NO_ANSWER = {
    "declined": ConsentOutcome.DECLINED,
    "unreachable": ConsentOutcome.UNREACHABLE,
}


@router.get("/outreach")
def queue_page(
    request: Request, caller: Annotated[Caller, requires(Permission.OUTREACH_VIEW)]
) -> Response:
    items = outreach_queue(node_of(request), actor=caller.account)
    return render(
        request,
        "district/outreach.html",
        caller=caller,
        items=items,
        may_decide=caller.may(Permission.OUTREACH_DECIDE),
        may_consent=caller.may(Permission.CONSENT_RECORD),
    )


@router.post("/outreach/{referral_id}/begin")
def begin_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.OUTREACH_DECIDE)],
    referral_id: uuid.UUID,
) -> Response:
    begin_outreach(node_of(request), actor=caller.account, referral_id=referral_id)
    return RedirectResponse("/outreach", status_code=303)


@router.post("/outreach/{referral_id}/answer")
def answer_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.OUTREACH_DECIDE)],
    referral_id: uuid.UUID,
    answer: Annotated[str, Form(pattern="^(declined|unreachable)$")],
) -> Response:
    record_decision(
        node_of(request),
        actor=caller.account,
        referral_id=referral_id,
        decision=_NO_ANSWER[answer],
        reason=f"family-{answer}",
    )
    site_of(request).after_change()
    return RedirectResponse("/outreach", status_code=303)
