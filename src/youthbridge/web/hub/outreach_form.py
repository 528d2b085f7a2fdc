"""Turning a reviewer's choice into an outreach request through hub/outreach.py.

The reasons sent for each student are read again from the review on the server,
never taken from the form, so a request can only name flags the rules raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import Request

from youthbridge.domain.errors import NotFound, Refused
from youthbridge.exchange.parties import Party
from youthbridge.hub.node import HubNode
from youthbridge.hub.outreach import (
    OutreachRequested,
    flagged_students,
    request_outreach,
)
from youthbridge.security.permissions import Role
from youthbridge.web.common.guard import Caller, site_of
from youthbridge.web.hub.figures import review_of

OFFERS: dict[str, str] = {
    "youth-mentoring": "Youth mentoring",
    "family-support": "Family support",
    "attendance-coaching": "Attendance coaching",
    "conflict-mediation": "Conflict mediation",
}


def hub_of(request: Request) -> HubNode:
    hub: HubNode = request.app.state.hub
    return hub


def districts_of(request: Request) -> Mapping[str, Party]:
    districts: Mapping[str, Party] = request.app.state.districts
    return districts


def ask_district(
    request: Request,
    caller: Caller,
    district: str,
    offer: str,
    pseudonyms: Sequence[str],
) -> OutreachRequested:
    """Request outreach for these students, then let the region deliver it."""
    party = districts_of(request).get(district)
    if party is None:
        raise NotFound(
            f"`{district}` is not a partner district.", code="district:unknown"
        )
    if offer not in OFFERS:
        known = ", ".join(f"`{code}`" for code in OFFERS)
        raise Refused(f"Choose one of the offers: {known}.", code="outreach:offer")
    hub = hub_of(request)
    flagged = flagged_students(review_of(hub), district)
    unknown = sorted(set(pseudonyms) - set(flagged))
    if not pseudonyms or unknown:
        raise Refused(
            "Choose at least one student, and only students the review flags"
            f" in district {district}."
            + (f" Not flagged: {', '.join(unknown)}." if unknown else ""),
            code="outreach:students",
        )
    # A case manager who asks keeps the cases that follow; anyone else's
    # request lands in their own team's queue for a supervisor to assign.
    account = caller.account
    requested = request_outreach(
        hub,
        actor=account,
        district=party,
        pseudonyms_with_flags={name: flagged[name] for name in pseudonyms},
        offer=offer,
        assign_to=account if account.role is Role.CASE_MANAGER else None,
        team=account.team,
    )
    site_of(request).after_change()
    return requested
