"""Signing in on the pages: password, then the authenticator code, then in."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from youthbridge.security.signin import (
    NextStep,
    SignInRefused,
    begin_sign_in,
    enrol_second_factor,
    sign_out,
    verify_second_factor,
)
from youthbridge.web.common.cookies import clear_cookie, set_cookie
from youthbridge.web.common.guard import (
    Caller,
    client_address,
    public,
    signed_in,
    site_of,
)
from youthbridge.web.common.rendering import render

router = APIRouter(include_in_schema=False)

_STEP_PAGES = {
    NextStep.SECOND_FACTOR: "/sign-in/code",
    NextStep.ENROL_SECOND_FACTOR: "/sign-in/enrol",
}


def safe_next(value: str | None) -> str:
    """Only a path on this site: never another site, so no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    return "/" if "\\" in value or "\n" in value else value


@router.get("/sign-in", dependencies=[public()])
def sign_in_page(request: Request, next: str = "/") -> Response:
    return render(request, "common/sign_in.html", next_path=safe_next(next))


@router.post("/sign-in", dependencies=[public()])
def sign_in(
    request: Request,
    username: str = Form("", max_length=64),
    password: str = Form("", max_length=1024),
    next: str = Form("/", max_length=2000),
) -> Response:
    site = site_of(request)
    try:
        pending = begin_sign_in(
            site.sessions,
            username,
            password,
            client_address(request),
            settings=site.settings,
        )
    except SignInRefused as error:
        return render(
            request,
            "common/sign_in.html",
            status_code=401,
            next_path=safe_next(next),
            refusal=error.message,
        )
    target = safe_next(next)
    step_page = _STEP_PAGES.get(pending.next_step)
    if step_page is not None:
        target = f"{step_page}?next={quote(target, safe='/')}"
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, site, site.session_cookie, pending.token)
    return response


@router.get("/sign-in/code", dependencies=[public()])
def code_page(request: Request, next: str = "/") -> Response:
    return render(request, "common/code.html", next_path=safe_next(next))


@router.post("/sign-in/code", dependencies=[public()])
def submit_code(
    request: Request,
    code: str = Form("", max_length=64),
    next: str = Form("/", max_length=2000),
) -> Response:
    site = site_of(request)
    token = request.cookies.get(site.session_cookie, "")
    try:
        verify_second_factor(
            site.sessions, token, code, client_address(request), settings=site.settings
        )
    except SignInRefused as error:
        return render(
            request,
            "common/code.html",
            status_code=401,
            next_path=safe_next(next),
            refusal=error.message,
        )
    return RedirectResponse(safe_next(next), status_code=303)


@router.get("/sign-in/enrol", dependencies=[public()])
def enrol_page(request: Request, next: str = "/") -> Response:
    return render(
        request, "common/enrol.html", next_path=safe_next(next), enrolment=None
    )


@router.post("/sign-in/enrol", dependencies=[public()])
def start_enrolment(
    request: Request,
    next: str = Form("/", max_length=2000),
) -> Response:
    site = site_of(request)
    token = request.cookies.get(site.session_cookie, "")
    with site.sessions.begin() as session:
        enrolment = enrol_second_factor(session, token, settings=site.settings)
    # The key and codes are shown once, on this page, and never stored in it.
    response = render(
        request, "common/enrol.html", next_path=safe_next(next), enrolment=enrolment
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/sign-out")
def sign_out_page(request: Request, caller: Annotated[Caller, signed_in()]) -> Response:
    site = site_of(request)
    with site.sessions.begin() as session:
        sign_out(session, caller.token)
    response = RedirectResponse("/sign-in", status_code=303)
    clear_cookie(response, site, site.session_cookie)
    return response
