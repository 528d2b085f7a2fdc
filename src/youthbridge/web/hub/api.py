"""The hub's REST API, version 1: trends, the at-risk review, outreach, services."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from youthbridge.hub.directory import search_services
from youthbridge.hub.trends import Dimension, trend
from youthbridge.security import audit
from youthbridge.security.permissions import Permission
from youthbridge.web.common.guard import Caller, requires, site_of
from youthbridge.web.common.schemas import ERRORS
from youthbridge.web.hub.figures import current_data, flagged_students, review_of
from youthbridge.web.hub.outreach_form import ask_district, hub_of

router = APIRouter(prefix="/api/v1", tags=["hub"], responses=ERRORS)


class TrendOut(BaseModel):
    dimension: str
    marker: str
    rows: list[dict[str, Any]]


class FlagOut(BaseModel):
    rule: str
    explanation: str


class StudentOut(BaseModel):
    pseudonym: str
    district: str
    level: str
    flags: list[FlagOut]


class ReviewOut(BaseModel):
    on: date
    students: list[StudentOut]


class OutreachBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district: str = Field(min_length=1, max_length=16)
    offer: str = Field(min_length=1, max_length=64)
    pseudonyms: list[str] = Field(min_length=1, max_length=500)


class OutreachOut(BaseModel):
    request_id: uuid.UUID
    referral_ids: dict[str, uuid.UUID]


class ServiceOut(BaseModel):
    service_id: str
    name: str
    organization: str
    category: str | None
    description: str | None


@router.get("/trends/{dimension}")
def trends(
    dimension: Dimension,
    request: Request,
    caller: Annotated[Caller, requires(Permission.TRENDS_VIEW)],
) -> TrendOut:
    """Counts and rates by one dimension and school year, suppressed."""
    hub = hub_of(request)
    records, incidents = current_data(hub)
    rows: list[dict[str, Any]] = []
    if not records.is_empty():
        rows = trend(
            records, incidents, dimension, hub.agreement
        ).shown.display.to_dicts()
    return TrendOut(
        dimension=str(dimension), marker=hub.agreement.suppression_marker, rows=rows
    )


@router.get("/at-risk")
def at_risk(
    request: Request,
    caller: Annotated[Caller, requires(Permission.AT_RISK_VIEW)],
    district: str | None = Query(None, max_length=16),
) -> ReviewOut:
    """Flagged students by pseudonym, each flag with its reason."""
    review = review_of(hub_of(request))
    students = flagged_students(review, district)
    with site_of(request).sessions.begin() as session:
        audit.record(
            session,
            actor=caller.account,
            action=Permission.AT_RISK_VIEW,
            details={"district": district, "students": len(students)},
        )
    return ReviewOut(
        on=review.on,
        students=[
            StudentOut(
                pseudonym=s.pseudonym,
                district=s.district,
                level=s.level,
                flags=[FlagOut(rule=r, explanation=e) for r, e in s.flags],
            )
            for s in students
        ],
    )


@router.post("/outreach-requests", status_code=201)
def outreach_request(
    request: Request,
    caller: Annotated[Caller, requires(Permission.OUTREACH_REQUEST)],
    body: OutreachBody,
) -> OutreachOut:
    """Ask a district to reach out to flagged students; reasons come from the review."""
    done = ask_district(request, caller, body.district, body.offer, body.pseudonyms)
    return OutreachOut(request_id=done.request_id, referral_ids=done.referral_ids)


@router.get("/services")
def services(
    request: Request,
    caller: Annotated[Caller, requires(Permission.DIRECTORY_VIEW)],
    text: str | None = Query(None, max_length=200),
    category: str | None = Query(None, max_length=64),
) -> list[ServiceOut]:
    """Services of the community directory."""
    return [
        ServiceOut(
            service_id=s.service_id,
            name=s.name,
            organization=s.organization,
            category=s.category,
            description=s.description,
        )
        for s in search_services(hub_of(request), text, category)
    ]
