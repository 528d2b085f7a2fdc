"""Signing in through the API: a bearer token, then its second factor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from youthbridge.security.permissions import ROLE_PERMISSIONS
from youthbridge.security.signin import (
    SessionEnded,
    begin_sign_in,
    sign_out,
    verify_second_factor,
)
from youthbridge.web.common.guard import (
    Caller,
    client_address,
    public,
    session_token,
    signed_in,
    site_of,
)
from youthbridge.web.common.schemas import ERRORS

router = APIRouter(prefix="/api/v1", tags=["session"], responses=ERRORS)


class SignInBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class SessionOut(BaseModel):
    token: str
    next_step: str


class CodeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64)


class Me(BaseModel):
    username: str
    role: str
    node: str
    district_code: str | None
    permissions: list[str]


@router.post("/session", dependencies=[public()])
def open_session(request: Request, body: SignInBody) -> SessionOut:
    """Check a password; the token then needs its second factor, if any."""
    site = site_of(request)
    pending = begin_sign_in(
        site.sessions,
        body.username,
        body.password,
        client_address(request),
        settings=site.settings,
    )
    return SessionOut(token=pending.token, next_step=str(pending.next_step))


@router.post("/session/second-factor", status_code=204, dependencies=[public()])
def confirm_session(request: Request, body: CodeBody) -> Response:
    """Give the authenticator code (or a recovery code) for the bearer token."""
    site = site_of(request)
    token = session_token(request)
    if token is None:
        raise SessionEnded("Send the session's bearer token.", code="session:missing")
    verify_second_factor(
        site.sessions, token, body.code, client_address(request), settings=site.settings
    )
    return Response(status_code=204)


@router.delete("/session", status_code=204)
def close_session(request: Request, caller: Annotated[Caller, signed_in()]) -> Response:
    """End this session."""
    with site_of(request).sessions.begin() as session:
        sign_out(session, caller.token)
    return Response(status_code=204)


@router.get("/me")
def who_am_i(caller: Annotated[Caller, signed_in()]) -> Me:
    """The signed-in account and what its role allows."""
    account = caller.account
    return Me(
        username=account.username,
        role=str(account.role),
        node=str(account.role.node),
        district_code=account.district_code,
        permissions=sorted(str(p) for p in ROLE_PERMISSIONS[account.role]),
    )
