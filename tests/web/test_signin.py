"""Signing in on the pages: password, then the authenticator code, then in."""

from __future__ import annotations

from tests.web.browsing import client_for, csrf_of, sign_in
from tests.web.conftest import WebRegion
from youthbridge.security.permissions import Role


def test_a_wrong_password_is_refused_without_saying_why(web_region: WebRegion) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    client = client_for(web_region.hub_app)
    token = csrf_of(client.get("/sign-in").text)

    page = client.post(
        "/sign-in",
        data={
            "username": supervisor.username,
            "password": "not the password at all",
            "csrf_token": token,
        },
    )

    assert page.status_code == 401
    assert "The username or password is not right" in page.text
    assert client.get("/trends").url.path == "/sign-in"


def test_a_password_alone_does_not_open_the_pages(web_region: WebRegion) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    client = client_for(web_region.hub_app)
    token = csrf_of(client.get("/sign-in").text)
    client.post(
        "/sign-in",
        data={
            "username": supervisor.username,
            "password": supervisor.password,
            "csrf_token": token,
        },
    )

    page = client.get("/trends")

    assert page.status_code == 401
    assert "finish signing in with your authenticator code" in page.text


def test_a_wrong_code_is_refused_and_the_right_one_signs_in(
    web_region: WebRegion,
) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    client = client_for(web_region.hub_app)
    token = csrf_of(client.get("/sign-in").text)
    client.post(
        "/sign-in",
        data={
            "username": supervisor.username,
            "password": supervisor.password,
            "csrf_token": token,
            "next": "/trends",
        },
    )
    wrong = "000000" if supervisor.code() != "000000" else "111111"

    refused = client.post("/sign-in/code", data={"code": wrong, "csrf_token": token})
    accepted = client.post(
        "/sign-in/code",
        data={"code": supervisor.code(), "csrf_token": token, "next": "/trends"},
    )

    assert refused.status_code == 401
    assert "That code is not right" in refused.text
    assert accepted.url.path == "/trends"
    assert "<svg" in accepted.text


def test_signing_out_ends_the_session(web_region: WebRegion) -> None:
    analyst = web_region.staff()[Role.ANALYST]
    client = client_for(web_region.hub_app)
    token = sign_in(client, analyst)

    client.post("/sign-out", data={"csrf_token": token})

    assert client.get("/trends").url.path == "/sign-in"


def test_an_ended_session_gets_a_clear_page(web_region: WebRegion) -> None:
    client = client_for(web_region.hub_app)
    client.cookies.set("yb_session_hub", "a-token-that-was-never-issued")

    page = client.get("/trends")

    assert page.status_code == 401
    assert "Your session has ended. Please sign in again." in page.text
    assert 'href="/sign-in?next=/trends"' in page.text


def test_a_hub_account_cannot_use_a_district_app(web_region: WebRegion) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    client = client_for(web_region.district_app())
    token = csrf_of(client.get("/sign-in").text)

    page = client.post(
        "/sign-in",
        data={
            "username": supervisor.username,
            "password": supervisor.password,
            "csrf_token": token,
        },
    )

    # The district's database has no such account: the same refusal as any.
    assert page.status_code == 401


def test_the_session_cookie_is_http_only_and_strict(web_region: WebRegion) -> None:
    analyst = web_region.staff()[Role.ANALYST]
    client = client_for(web_region.hub_app)
    token = csrf_of(client.get("/sign-in").text)

    response = client.post(
        "/sign-in",
        data={
            "username": analyst.username,
            "password": analyst.password,
            "csrf_token": token,
        },
        follow_redirects=False,
    )

    cookie = response.headers["set-cookie"]
    assert cookie.startswith("yb_session_hub=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
