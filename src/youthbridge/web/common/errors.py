"""Every error in one shape: JSON `{code, message, problems}` or a friendly page.

The API answers with a 4xx and a machine code for anything a caller did wrong,
malformed bodies included; a 500 means a fault here, and says nothing of it
beyond a request to try again. Pages show the same message, with the way on:
sign in again, confirm the second factor, or go back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from youthbridge.domain.errors import (
    AccessDenied,
    NotFound,
    Problem,
    YouthbridgeError,
)
from youthbridge.security.signin import SessionEnded
from youthbridge.web.common.guard import NotSignedIn, caller_or_none, is_api
from youthbridge.web.common.rendering import render

log = structlog.get_logger(__name__)

_SECOND_FACTOR_CODES = {"second-factor:required": 401, "second-factor:stale": 403}


def status_of(error: YouthbridgeError) -> int:
    """The HTTP status for a youthbridge error, by what kind of error it is."""
    if isinstance(error, SessionEnded):
        return 401
    if error.code in _SECOND_FACTOR_CODES:
        return _SECOND_FACTOR_CODES[error.code]
    if isinstance(error, AccessDenied):
        return 403
    if isinstance(error, NotFound):
        return 404
    return 422


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(YouthbridgeError, _youthbridge_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    problems: list[Problem] | None = None,
) -> Response:
    """The one shape of an error, as JSON for the API and a page for people."""
    if is_api(request):
        body = {
            "code": code,
            "message": message,
            "problems": [vars(problem) for problem in problems or []],
        }
        return JSONResponse(body, status_code=status)
    return render(
        request,
        "common/error.html",
        caller=caller_or_none(request),
        status_code=status,
        code=code,
        message=message,
        problems=[problem.describe() for problem in problems or []],
        next_path=_next_path(request),
    )


async def _youthbridge_error(request: Request, error: Any) -> Response:
    assert isinstance(error, YouthbridgeError)
    if (
        isinstance(error, NotSignedIn)
        and not is_api(request)
        and request.method in {"GET", "HEAD"}
    ):
        target = f"/sign-in?next={quote(_next_path(request), safe='/')}"
        return RedirectResponse(target, status_code=303)
    log.info("web.refused", code=error.code, path=_route_path(request))
    return error_response(
        request, status_of(error), error.code, error.message, error.problems
    )


async def _validation_error(request: Request, error: Any) -> Response:
    assert isinstance(error, RequestValidationError)
    fields = sorted(
        {".".join(str(part) for part in item.get("loc", ())) for item in error.errors()}
    )
    message = "The request is not in the expected form. Check: " + ", ".join(
        f"`{field}`" for field in fields
    )
    return error_response(request, 422, "request:invalid", message)


async def _http_error(request: Request, error: Any) -> Response:
    assert isinstance(error, HTTPException)
    messages = {
        404: "There is no such page.",
        405: "That kind of request is not accepted here.",
    }
    message = messages.get(error.status_code, str(error.detail))
    code = "not-found" if error.status_code == 404 else f"http:{error.status_code}"
    return error_response(request, error.status_code, code, message)


async def _unexpected_error(request: Request, error: Exception) -> Response:
    log.error("web.fault", error=error.__class__.__name__, path=_route_path(request))
    return error_response(
        request,
        500,
        "server:error",
        "Something went wrong on our side and nothing was changed. Please try "
        "again; if it happens again, tell your administrator.",
    )


def _next_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _route_path(request: Request) -> str:
    # The route's template, never the filled-in path, which may hold ids.
    return str(getattr(request.scope.get("route"), "path", "unrouted"))
