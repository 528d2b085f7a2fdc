"""Form posts without their token are refused; errors come in one shape."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.web.browsing import api_token, client_for, signed_in_client
from tests.web.conftest import WebRegion
from youthbridge.security.permissions import Role
from youthbridge.storage.case_tables import ReferralRow


def _referrals(web_region: WebRegion) -> int:
    with web_region.region.hub.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ReferralRow)) or 0)


def test_a_post_without_the_csrf_token_changes_nothing(web_region: WebRegion) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    client, _token = signed_in_client(web_region.hub_app, supervisor)
    before = _referrals(web_region)

    page = client.post(
        "/at-risk/outreach",
        data={"district": "0180", "offer": "youth-mentoring", "pseudonym": ["x"]},
    )

    assert page.status_code == 403
    assert "Nothing was changed" in page.text
    assert _referrals(web_region) == before


def test_a_post_with_another_browsers_token_is_refused(web_region: WebRegion) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    client, _token = signed_in_client(web_region.hub_app, supervisor)
    _other, other_token = signed_in_client(
        web_region.hub_app, web_region.staff()[Role.ANALYST]
    )

    page = client.post("/sign-out", data={"csrf_token": other_token})

    assert page.status_code == 403
    assert client.get("/trends").status_code == 200


def test_a_sign_in_post_needs_its_token_too(web_region: WebRegion) -> None:
    client = client_for(web_region.hub_app)

    page = client.post("/sign-in", data={"username": "x", "password": "y"})

    assert page.status_code == 403
    assert "did not come from this site" in page.text


def test_a_malformed_body_gets_a_4xx_in_the_one_shape(web_region: WebRegion) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    client = client_for(web_region.hub_app)
    headers = api_token(client, supervisor) | {"content-type": "application/json"}

    for body in (b"{not json", b"[]", b'{"district": 5}', b'"text"'):
        response = client.post(
            "/api/v1/outreach-requests", content=body, headers=headers
        )
        assert response.status_code == 422, body
        assert set(response.json()) == {"code", "message", "problems"}
        assert response.json()["code"] == "request:invalid"


def test_the_api_without_a_token_says_so(web_region: WebRegion) -> None:
    client = client_for(web_region.hub_app)

    response = client.get("/api/v1/at-risk")

    assert response.status_code == 401
    assert response.json()["code"] == "session:missing"


def test_an_unknown_api_path_is_a_json_404(web_region: WebRegion) -> None:
    response = client_for(web_region.hub_app).get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["code"] == "not-found"


def test_an_unknown_page_is_a_friendly_404(web_region: WebRegion) -> None:
    page = client_for(web_region.hub_app).get("/nothing-here")

    assert page.status_code == 404
    assert "There is no such page." in page.text
    assert "<main" in page.text


def test_a_refused_outreach_request_names_the_rule(web_region: WebRegion) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    client = client_for(web_region.hub_app)
    headers = api_token(client, supervisor)

    response = client.post(
        "/api/v1/outreach-requests",
        json={
            "district": "0180",
            "offer": "youth-mentoring",
            "pseudonyms": ["0180-NOT-A-FLAGGED-STUDENT"],
        },
        headers=headers,
    )

    assert response.status_code == 422
    assert response.json()["code"] == "outreach:students"
