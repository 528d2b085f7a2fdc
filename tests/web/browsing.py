"""Talking to the apps as a browser does: forms with their CSRF token, cookies."""

from __future__ import annotations

import re
import warnings

from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from youthbridge.web.staff import StaffAccount

with warnings.catch_warnings():
    # TODO: starlette's test client warns that it will move to httpx2, which is
    # not a dependency yet; drop this once the pinned starlette no longer warns.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["TestClient", "client_for", "csrf_of", "sign_in", "signed_in_client"]

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def client_for(app: FastAPI) -> TestClient:
    return TestClient(app, follow_redirects=True, raise_server_exceptions=False)


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, account: StaffAccount, *, steps_ahead: int = 0) -> str:
    """Sign in with password and authenticator code; returns the CSRF token."""
    token = csrf_of(client.get("/sign-in").text)
    first = client.post(
        "/sign-in",
        data={
            "username": account.username,
            "password": account.password,
            "csrf_token": token,
            "next": "/",
        },
    )
    assert first.url.path == "/sign-in/code", first.text
    second = client.post(
        "/sign-in/code",
        data={"code": account.code(steps_ahead), "csrf_token": token, "next": "/"},
    )
    assert second.status_code == 200, second.text
    assert second.url.path == "/", second.text
    return token


def signed_in_client(app: FastAPI, account: StaffAccount) -> tuple[TestClient, str]:
    client = client_for(app)
    return client, sign_in(client, account)


def api_token(client: TestClient, account: StaffAccount) -> dict[str, str]:
    """Bearer headers for an API session that passed its second factor."""
    opened = client.post(
        "/api/v1/session",
        json={"username": account.username, "password": account.password},
    )
    assert opened.status_code == 200, opened.text
    headers = {"Authorization": f"Bearer {opened.json()['token']}"}
    confirmed = client.post(
        "/api/v1/session/second-factor", json={"code": account.code()}, headers=headers
    )
    assert confirmed.status_code == 204, confirmed.text
    return headers
