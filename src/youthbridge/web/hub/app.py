"""`create_app` for the hub: its pages and its API behind sign-in."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import FastAPI

from youthbridge.exchange.parties import Party
from youthbridge.hub.node import HubNode
from youthbridge.security.permissions import Permission
from youthbridge.security.settings import SecuritySettings
from youthbridge.storage.database import NodeKind
from youthbridge.web.common.app import build_app
from youthbridge.web.common.rendering import NavItem
from youthbridge.web.common.site import Site
from youthbridge.web.hub import api, case_pages, pages

NAV = [
    NavItem("/", "nav.home"),
    NavItem("/trends", "nav.trends", Permission.TRENDS_VIEW),
    NavItem("/at-risk", "nav.at_risk", Permission.AT_RISK_VIEW),
    NavItem("/caseload", "nav.caseload", Permission.CASE_VIEW),
    NavItem("/caseload/team", "nav.team", Permission.CASELOAD_TEAM_VIEW),
    NavItem("/directory", "nav.directory", Permission.DIRECTORY_VIEW),
    NavItem("/audit", "nav.audit", Permission.AUDIT_VIEW),
]


def create_app(
    hub: HubNode,
    *,
    settings: SecuritySettings,
    districts: Mapping[str, Party] | None = None,
    secure_cookies: bool = True,
    after_change: Callable[[], None] | None = None,
    title: str = "youthbridge hub",
) -> FastAPI:
    """The hub's web app; `districts` are the partners outreach may be asked of."""
    site = Site(
        kind=NodeKind.HUB,
        sessions=hub.sessions,
        settings=settings,
        title=title,
        secure_cookies=secure_cookies,
    )
    if after_change is not None:
        site.after_change = after_change
    app = build_app(
        site,
        title=title,
        nav=NAV,
        routers=[pages.router, case_pages.router, api.router],
    )
    app.state.hub = hub
    app.state.districts = dict(districts or {})
    return app
