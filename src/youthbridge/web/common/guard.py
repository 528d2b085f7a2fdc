"""Every route says who may use it: a guard per route, deny by default.

A route takes its caller from `requires(permission)`, `signed_in()` or
`public()`. Nothing else lets a request in, and a test walks every route of each
app to check that it declares one of the three. The guard also checks the CSRF
token of every form post before the route reads a field, and asks for a recent
second factor before any permission that shows a named student's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts

from youthbridge.domain.errors import AccessDenied
from youthbridge.security import audit
from youthbridge.security.accounts import Account, AuthSession
from youthbridge.security.audit import Outcome
from youthbridge.security.permissions import IDENTIFIED, Permission, allowed
from youthbridge.security.signin import (
    SessionEnded,
    authenticate,
    require_recent_second_factor,
)
from youthbridge.web.common.csrf import check_form_token
from youthbridge.web.common.site import Site

API_PREFIX = "/api/"


class AccessKind(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed-in"
    PERMISSION = "permission"


@dataclass(frozen=True)
class Access:
    """What a route declared it needs."""

    kind: AccessKind
    permission: Permission | None = None


@dataclass(frozen=True)
class Caller:
    """The signed-in person behind one request."""

    account: Account
    auth_session: AuthSession
    token: str

    def may(self, permission: Permission) -> bool:
        return allowed(self.account.role, permission)


class NotSignedIn(SessionEnded):
    """No session at all: a page sends the person to sign in."""


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Guard:
    """The dependency that lets a request in, or raises why it may not."""

    def __init__(self, access: Access) -> None:
        self.access = access

    async def __call__(self, request: Request) -> Caller | None:
        if not is_api(request) and request.method not in {"GET", "HEAD"}:
            await check_form_token(request)
        if self.access.kind is AccessKind.PUBLIC:
            return None
        caller = _caller(request)
        _check_node(site_of(request), caller)
        if self.access.permission is not None:
            _check_permission(request, caller, self.access.permission)
        return caller


def requires(permission: Permission) -> Any:
    """Declare that a route needs this permission (and so a signed-in person)."""
    return Depends(Guard(Access(AccessKind.PERMISSION, permission)))


def signed_in() -> Any:
    """Declare that a route needs a signed-in person and nothing more."""
    return Depends(Guard(Access(AccessKind.SIGNED_IN)))


def public() -> Any:
    """Declare that a route is open to anyone: only sign-in and the stylesheet."""
    return Depends(Guard(Access(AccessKind.PUBLIC)))


@dataclass(frozen=True)
class RouteInfo:
    """One route as served: its full path, its methods, what it declared."""

    path: str
    methods: frozenset[str]
    access: Access | None
    is_api_route: bool


def app_routes(app: FastAPI) -> list[RouteInfo]:
    """Every route the app serves, routers included, with its declaration."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        found.append(
            RouteInfo(
                path=str(context.path),
                methods=frozenset(context.methods or ()),
                access=declared_access(route) if isinstance(route, APIRoute) else None,
                is_api_route=isinstance(route, APIRoute),
            )
        )
    return found


def declared_access(route: APIRoute) -> Access | None:
    """The access a route declared through a guard, or None if it declared none."""
    for dependency in route.dependant.dependencies:
        if isinstance(dependency.call, Guard):
            return dependency.call.access
    return None


def session_token(request: Request) -> str | None:
    """The API takes a bearer token only; pages take the session cookie only."""
    if is_api(request):
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None
    return request.cookies.get(site_of(request).session_cookie) or None


def _caller(request: Request) -> Caller:
    token = session_token(request)
    if token is None:
        raise NotSignedIn("Please sign in to continue.", code="session:missing")
    site = site_of(request)
    with site.sessions.begin() as session:
        signed = authenticate(session, token, settings=site.settings)
    return Caller(signed.account, signed.auth_session, token)


def _check_node(site: Site, caller: Caller) -> None:
    account = caller.account
    same_node = account.role.node is site.kind
    if same_node and site.district_code is not None:
        same_node = account.district_code == site.district_code
    if not same_node:
        raise AccessDenied(
            "This account belongs to another node of the partnership. Sign in "
            "at your own organisation's address.",
            code="access:node",
        )


def _check_permission(request: Request, caller: Caller, permission: Permission) -> None:
    site = site_of(request)
    if not caller.may(permission):
        with site.sessions.begin() as session:
            audit.record(
                session,
                actor=caller.account,
                action=permission,
                outcome=Outcome.DENY,
                details={"route": getattr(request.scope.get("route"), "path", "")},
            )
        raise AccessDenied(
            f"Your role ({caller.account.role}) does not allow `{permission}`. "
            "Ask your administrator if your work needs it.",
            code="access:denied",
        )
    if permission in IDENTIFIED:
        require_recent_second_factor(
            caller.auth_session, within=site.settings.second_factor_recent
        )


def caller_or_none(request: Request) -> Caller | None:
    """The signed-in person if there is one, for pages that show either way."""
    try:
        caller = _caller(request)
        _check_node(site_of(request), caller)
    except AccessDenied:
        return None
    return caller
