"""The hub's pages: home, trends, the at-risk review, the service directory."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from youthbridge.hub.directory import search_services
from youthbridge.security import audit
from youthbridge.security.permissions import Permission
from youthbridge.web.common.guard import Caller, requires, signed_in, site_of
from youthbridge.web.common.rendering import render
from youthbridge.web.hub.figures import flagged_students, review_of, trend_figures
from youthbridge.web.hub.outreach_form import OFFERS, ask_district, districts_of, hub_of

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, caller: Annotated[Caller, signed_in()]) -> Response:
    return render(request, "common/home.html", caller=caller)


@router.get("/trends")
def trends_page(
    request: Request, caller: Annotated[Caller, requires(Permission.TRENDS_VIEW)]
) -> Response:
    hub = hub_of(request)
    return render(
        request,
        "hub/trends.html",
        caller=caller,
        figures=trend_figures(hub),
        marker=hub.agreement.suppression_marker,
        minimum=hub.agreement.small_cell_minimum,
    )


@router.get("/at-risk")
def at_risk_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.AT_RISK_VIEW)],
    district: str | None = Query(None, max_length=16),
    requested: int | None = Query(None, ge=0, le=10_000),
) -> Response:
    codes = sorted(districts_of(request))
    review = review_of(hub_of(request))
    chosen = district if district in codes else (codes[0] if codes else None)
    students = flagged_students(review, chosen)
    with site_of(request).sessions.begin() as session:
        audit.record(
            session,
            actor=caller.account,
            action=Permission.AT_RISK_VIEW,
            details={"district": chosen, "students": len(students)},
        )
    return render(
        request,
        "hub/at_risk.html",
        caller=caller,
        review_on=review.on,
        districts=codes,
        district=chosen,
        students=students,
        offers=OFFERS,
        requested=requested,
        may_request=caller.may(Permission.OUTREACH_REQUEST),
    )


@router.post("/at-risk/outreach")
def request_outreach_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.OUTREACH_REQUEST)],
    district: str = Form(..., max_length=16),
    offer: str = Form(..., max_length=64),
    pseudonym: Annotated[list[str] | None, Form()] = None,
) -> Response:
    done = ask_district(request, caller, district, offer, pseudonym or [])
    query = urlencode({"district": district, "requested": len(done.referral_ids)})
    return RedirectResponse(f"/at-risk?{query}", status_code=303)


@router.get("/directory")
def directory_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.DIRECTORY_VIEW)],
    q: str = Query("", max_length=200),
    category: str = Query("", max_length=64),
) -> Response:
    services = search_services(hub_of(request), q or None, category or None)
    return render(
        request,
        "hub/directory.html",
        caller=caller,
        services=services[:200],
        total=len(services),
        q=q,
        category=category,
    )
