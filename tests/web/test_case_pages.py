"""The hub's case pages: who sees which caseload, and what a case page shows."""

from __future__ import annotations

from sqlalchemy import select

from tests.web.browsing import client_for, sign_in, signed_in_client
from tests.web.conftest import WebRegion
from tests.web.scenario import ask_about, case_of, family_signs, records_released
from youthbridge.security.permissions import Role
from youthbridge.storage.consent_tables import ProgressRecord


def test_a_case_manager_sees_their_own_cases_and_no_one_elses(
    web_region: WebRegion,
) -> None:
    hub = web_region.staff()
    other = web_region.staff()[Role.CASE_MANAGER]
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    asked = ask_about(web_region, hub[Role.CASE_MANAGER])
    family_signs(web_region, counselor, asked)
    case_id = case_of(web_region, asked)

    mine, _token = signed_in_client(web_region.hub_app, hub[Role.CASE_MANAGER])
    theirs, _other_token = signed_in_client(web_region.hub_app, other)

    assert asked.pseudonym in mine.get("/caseload").text
    assert asked.pseudonym not in theirs.get("/caseload").text
    refused = theirs.get(f"/cases/{case_id}")
    assert refused.status_code == 403
    assert "not assigned to you" in refused.text
    assert mine.get(f"/cases/{case_id}").status_code == 200


def test_a_supervisor_sees_the_teams_caseloads_and_overdue_follow_ups(
    web_region: WebRegion,
) -> None:
    hub = web_region.staff()
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    asked = ask_about(web_region, hub[Role.CASE_MANAGER])
    family_signs(web_region, counselor, asked)
    client, _token = signed_in_client(web_region.hub_app, hub[Role.SUPERVISOR])

    page = client.get("/caseload/team")

    assert page.status_code == 200
    assert "Caseloads of team north" in page.text
    assert "Follow-ups overdue" in page.text
    assert f"{hub[Role.CASE_MANAGER].username} (" in page.text
    assert asked.pseudonym in page.text
    assert client.get(f"/cases/{case_of(web_region, asked)}").status_code == 200


def test_an_analyst_is_refused_every_case_page(web_region: WebRegion) -> None:
    hub = web_region.staff()
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    asked = ask_about(web_region, hub[Role.CASE_MANAGER])
    family_signs(web_region, counselor, asked)
    client = client_for(web_region.hub_app)
    sign_in(client, hub[Role.ANALYST])

    for path in ("/caseload", "/caseload/team", f"/cases/{case_of(web_region, asked)}"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "does not allow" in page.text


def test_a_case_manager_without_the_team_permission_is_refused_the_team_view(
    web_region: WebRegion,
) -> None:
    client, _token = signed_in_client(
        web_region.hub_app, web_region.staff()[Role.CASE_MANAGER]
    )

    assert client.get("/caseload/team").status_code == 403


def test_the_case_page_shows_released_records_and_sends_progress(
    web_region: WebRegion,
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    district = web_region.staff("0180")
    asked = ask_about(web_region, case_manager)
    family_signs(web_region, district[Role.SCHOOL_COUNSELOR], asked)
    records_released(web_region, district[Role.DATA_STEWARD], asked)
    case_id = case_of(web_region, asked)
    client, token = signed_in_client(web_region.hub_app, case_manager)

    page = client.get(f"/cases/{case_id}")
    sent = client.post(
        f"/cases/{case_id}/progress",
        data={"csrf_token": token, "code": ["engaged", "goal-progress"]},
    )

    assert 'data-consent="live"' in page.text
    assert 'data-category="contact"' in page.text
    assert "Contact details" in page.text
    assert "The progress update was sent to the district." in sent.text
    assert "<code>engaged</code>, <code>goal-progress</code>" in sent.text
    node = web_region.region.districts["0180"]
    with node.sessions() as session:
        codes = session.scalars(
            select(ProgressRecord.codes).where(
                ProgressRecord.student_id == asked.student_id
            )
        ).all()
    assert ["engaged", "goal-progress"] in codes


def test_free_text_is_refused_as_a_progress_code(web_region: WebRegion) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    asked = ask_about(web_region, case_manager)
    family_signs(web_region, web_region.staff("0180")[Role.SCHOOL_COUNSELOR], asked)
    client, token = signed_in_client(web_region.hub_app, case_manager)

    page = client.post(
        f"/cases/{case_of(web_region, asked)}/progress",
        data={"csrf_token": token, "code": "doing well at home"},
    )

    assert page.status_code == 422
    assert 'data-code="progress:code"' in page.text
    assert "doing well at home" not in page.text


def test_goals_notes_and_the_service_plan_are_kept_on_the_case(
    web_region: WebRegion,
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    asked = ask_about(web_region, case_manager)
    family_signs(web_region, web_region.staff("0180")[Role.SCHOOL_COUNSELOR], asked)
    case_id = case_of(web_region, asked)
    client, token = signed_in_client(web_region.hub_app, case_manager)
    services = client.get(f"/cases/{case_id}").text.split('name="service_id"')[1]
    service_id = services.split('<option value="', 1)[1].split('"', 1)[0]

    client.post(
        f"/cases/{case_id}/goals", data={"csrf_token": token, "text": "Attend daily"}
    )
    client.post(
        f"/cases/{case_id}/notes",
        data={
            "csrf_token": token,
            "contact_kind": "call",
            "contacted_at": "2026-01-05T10:30",
            "text": "Spoke with the family",
        },
    )
    planned = client.post(
        f"/cases/{case_id}/plan",
        data={"csrf_token": token, "service_id": service_id, "category": "mentoring"},
    )

    assert "Attend daily" in planned.text
    assert "Spoke with the family" in planned.text
    assert "(mentoring): referred" in planned.text
    assert "<code>plan:referred</code>" in planned.text
