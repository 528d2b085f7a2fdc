"""The frame both apps are built in: middleware, errors, shared routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response

from youthbridge.web.common import audit_pages, session_api, signin_pages
from youthbridge.web.common.cookies import set_cookie
from youthbridge.web.common.csrf import new_browser_secret
from youthbridge.web.common.errors import install_error_handlers
from youthbridge.web.common.guard import Caller, public, signed_in
from youthbridge.web.common.rendering import NavItem
from youthbridge.web.common.site import Site

API_VERSION = "1"

shared = APIRouter(include_in_schema=False)

# Paths that machines call: no browser, so no CSRF secret to hand out.
_MACHINE_PATHS = ("/exchange/", "/healthz")

# Pages never run a script; SVG charts carry inline styles, nothing else does.
_CONTENT_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def build_app(
    site: Site, *, title: str, nav: list[NavItem], routers: Iterable[APIRouter]
) -> FastAPI:
    """A FastAPI app for one node, with the routers of its kind."""
    app = FastAPI(
        title=title,
        version=API_VERSION,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.site = site
    app.state.nav = nav
    install_error_handlers(app)
    app.middleware("http")(_browser_protection)
    for router in (
        shared,
        signin_pages.router,
        session_api.router,
        audit_pages.pages,
        audit_pages.api,
        *routers,
    ):
        app.include_router(router)
    return app


def describe_api(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI description of the app's /api/v1, with its bearer scheme."""
    schema = get_openapi(
        title=app.title, version=app.version, routes=app.routes, openapi_version="3.1.0"
    )
    schema.setdefault("components", {})["securitySchemes"] = {
        "session": {"type": "http", "scheme": "bearer"}
    }
    schema["security"] = [{"session": []}]
    return schema


@shared.get("/api/v1/openapi.json")
def openapi_description(
    request: Request, caller: Annotated[Caller, signed_in()]
) -> Any:
    return describe_api(request.app)


@shared.get("/static/style.css", dependencies=[public()])
def stylesheet() -> Response:
    text = files("youthbridge.web").joinpath("static/style.css").read_text("utf-8")
    return Response(
        text, media_type="text/css", headers={"Cache-Control": "max-age=3600"}
    )


async def _browser_protection(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    # Every browser gets its CSRF secret on the first page it sees, so that
    # even the sign-in form carries a token.
    new_secret = None
    site: Site = request.app.state.site
    machine = request.url.path.startswith(_MACHINE_PATHS)
    if site.csrf_cookie not in request.cookies and not machine:
        new_secret = new_browser_secret()
        request.state.csrf_secret = new_secret
    response = await call_next(request)
    if new_secret is not None:
        set_cookie(response, site, site.csrf_cookie, new_secret)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _CONTENT_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Cache-Control", "no-store")
    return response
