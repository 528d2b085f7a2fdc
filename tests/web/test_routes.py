"""Deny by default: every route declares what it needs, and the roles match it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.web.browsing import api_token, client_for, sign_in
from tests.web.conftest import WebRegion
from youthbridge.security.permissions import Permission, Role, allowed
from youthbridge.web.common.guard import AccessKind, app_routes

PUBLIC = {
    "/sign-in",
    "/sign-in/code",
    "/sign-in/enrol",
    "/static/style.css",
    "/api/v1/session",
    "/api/v1/session/second-factor",
}


@pytest.mark.parametrize("which", ["hub", "district 0180"])
def test_every_route_declares_what_it_needs(web_region: WebRegion, which: str) -> None:
    routes = app_routes(web_region.apps[which])

    undeclared = [route.path for route in routes if route.access is None]
    public = {
        route.path
        for route in routes
        if route.access and route.access.kind is AccessKind.PUBLIC
    }

    assert len(routes) > 10
    assert undeclared == []
    assert public <= PUBLIC


def _guarded_gets(app: FastAPI) -> list[tuple[str, Permission]]:
    return [
        (route.path, route.access.permission)
        for route in app_routes(app)
        if "GET" in route.methods
        and "{" not in route.path
        and route.access is not None
        and route.access.permission is not None
    ]


def _matrix(web_region: WebRegion, which: str, node: str) -> None:
    app = web_region.apps[which]
    checked = 0
    for role, account in web_region.staff(node).items():
        client = client_for(app)
        sign_in(client, account)
        for path, permission in _guarded_gets(app):
            if path.startswith("/api/"):
                continue
            response = client.get(path)
            expected = allowed(role, permission)
            assert (response.status_code != 403) == expected, (role, path)
            checked += 1
    assert checked > 0


def test_hub_roles_reach_exactly_their_pages(web_region: WebRegion) -> None:
    _matrix(web_region, "hub", "hub")


def test_district_roles_reach_exactly_their_pages(web_region: WebRegion) -> None:
    _matrix(web_region, "district 0180", "0180")


def test_api_routes_follow_the_same_matrix(web_region: WebRegion) -> None:
    app = web_region.hub_app
    api_routes = [
        (path, permission)
        for path, permission in _guarded_gets(app)
        if path.startswith("/api/")
    ]
    for role, account in web_region.staff("hub").items():
        client = client_for(app)
        headers = api_token(client, account)
        for path, permission in api_routes:
            status = client.get(path, headers=headers).status_code
            assert (status != 403) == allowed(role, permission), (role, path)


def test_a_refused_page_is_audited(web_region: WebRegion) -> None:
    auditor = web_region.staff()[Role.AUDITOR]
    client = client_for(web_region.hub_app)
    sign_in(client, auditor)

    refused = client.get("/at-risk")
    # Other tests of the module write entries too: read the log page by page.
    pages = [client.get(f"/audit?after={after}") for after in range(0, 5000, 100)]

    assert refused.status_code == 403
    assert "does not allow `at-risk:view`" in refused.text
    assert all(page.status_code == 200 for page in pages)
    assert any("<code>at-risk:view</code>" in page.text for page in pages)
