"""The consent path in a real Chromium: outreach, signature, records, progress, end.

The hub and district 0180 run on loopback ports, wired as the demo wires them,
so that each change is delivered to the other node before the page returns.
Each journey takes its earlier steps through the services (tests/web/scenario.py)
and its own step in the browser, as the person doing it would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.web.chromium import launched, phone_page, serving, shot, sign_in
from tests.web.conftest import WebRegion
from tests.web.scenario import (
    ask_about,
    asked_in_district,
    case_of,
    family_signs,
    fresh_student,
    records_released,
)
from youthbridge.hub.progress import send_progress
from youthbridge.security.permissions import Role
from youthbridge.web.serving import BackgroundServer

pytestmark = pytest.mark.browser

Servers = dict[str, BackgroundServer]


@pytest.fixture(scope="module")
def servers(web_region: WebRegion) -> Iterator[Servers]:
    apps = {"hub": web_region.hub_app, "0180": web_region.district_app("0180")}
    with serving(apps) as started:
        yield started


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as chromium:
        yield chromium


def test_a_counselor_records_the_consent_the_hub_asked_for(
    web_region: WebRegion, servers: Servers, browser: Browser
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    pseudonym = fresh_student(web_region)

    with phone_page(browser) as hub:
        sign_in(hub, servers["hub"].url, case_manager, "/at-risk?district=0180")
        hub.locator(f'input[name="pseudonym"][value="{pseudonym}"]').check()
        hub.get_by_role("button", name="Ask the district to reach out").click()
        expect(hub.get_by_role("status")).to_contain_text("requested for 1 students")
    asked = asked_in_district(web_region, pseudonym)

    with phone_page(browser) as tablet:
        sign_in(tablet, servers["0180"].url, counselor, "/outreach")
        row = tablet.get_by_role("row").filter(has_text=asked.student_id)
        row.get_by_role("button", name="Start reaching out").click()
        tablet.locator(f'a[href="/outreach/{asked.referral_id}/consent"]').click()
        tablet.get_by_role("link", name="Spanish").click()
        tablet.get_by_role("button", name="Registrar la autorización firmada").click()

        alert = tablet.get_by_role("alert")
        expect(alert).to_contain_text("Elija al menos un tipo de registro")
        expect(alert).to_contain_text("Indique si firma como madre o padre")
        shot(tablet, "district-consent-missing-es")

        tablet.get_by_label("Datos de contacto").check()
        tablet.get_by_label("Asistencia").check()
        tablet.get_by_label("Madre o padre").check()
        tablet.get_by_label("Nombre completo de quien firma").fill("Ana Ejemplo")
        tablet.get_by_label("Escriba su nombre otra vez como firma").fill("Ana Ejemplo")
        shot(tablet, "district-consent-tablet-es")
        tablet.get_by_role("button", name="Registrar la autorización firmada").click()

        expect(tablet.get_by_role("heading", level=1)).to_contain_text("comprobante")
        shot(tablet, "district-consent-receipt-es")
    assert case_of(web_region, asked)


def test_the_case_manager_sees_the_released_records_and_sends_progress(
    web_region: WebRegion, servers: Servers, browser: Browser
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    district = web_region.staff("0180")
    asked = ask_about(web_region, case_manager)
    consent_id = family_signs(web_region, district[Role.SCHOOL_COUNSELOR], asked)

    with phone_page(browser) as office:
        sign_in(office, servers["0180"].url, district[Role.DATA_STEWARD], "/consents")
        office.locator(f'a[href="/consents/{consent_id}/release"]').click()
        expect(office.get_by_label("Grades")).to_have_count(0)
        office.get_by_role("button", name="Release the records").click()
        expect(office.get_by_role("status")).to_contain_text("records were released")
        shot(office, "district-records-released")

    with phone_page(browser) as hub:
        sign_in(hub, servers["hub"].url, case_manager, "/caseload")
        hub.get_by_role("link", name=asked.pseudonym).click()
        expect(hub.locator('table[data-category="contact"]')).to_be_visible()
        expect(hub.get_by_role("heading", name="Attendance")).to_be_visible()
        shot(hub, "hub-case-records")

        hub.get_by_label("Taking part").check()
        hub.get_by_role("button", name="Send progress").last.click()
        expect(hub.get_by_role("status")).to_contain_text("progress update was sent")
        expect(hub.locator("ul.sent")).to_contain_text("engaged")
        shot(hub, "hub-case-progress-sent")


def test_the_counselor_sees_the_progress_the_hub_sent(
    web_region: WebRegion, servers: Servers, browser: Browser
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    asked = ask_about(web_region, case_manager)
    family_signs(web_region, counselor, asked)
    send_progress(
        web_region.region.hub,
        actor=case_manager.account,
        case_id=case_of(web_region, asked),
        codes=["engaged", "goal-progress"],
    )
    web_region.region.deliver()

    with phone_page(browser) as school:
        sign_in(school, servers["0180"].url, counselor, "/consents")
        school.get_by_role("link", name=asked.student_id).first.click()
        progress = school.locator("ul.progress")
        expect(progress).to_contain_text("Taking part")
        expect(progress).to_contain_text("Making progress on a goal")
        shot(school, "district-student-progress")


def test_a_revoked_consent_takes_the_records_off_the_case_page(
    web_region: WebRegion, servers: Servers, browser: Browser
) -> None:
    case_manager = web_region.staff()[Role.CASE_MANAGER]
    district = web_region.staff("0180")
    asked = ask_about(web_region, case_manager)
    family_signs(web_region, district[Role.SCHOOL_COUNSELOR], asked)
    records_released(web_region, district[Role.DATA_STEWARD], asked)

    with phone_page(browser) as office:
        sign_in(office, servers["0180"].url, district[Role.DATA_STEWARD], "/consents")
        office.get_by_role(
            "button", name=f"Revoke the consent of student {asked.student_id}"
        ).click()
        expect(office.get_by_role("status")).to_contain_text("consent was revoked")
        shot(office, "district-consent-revoked")

    with phone_page(browser) as hub:
        path = f"/cases/{case_of(web_region, asked)}"
        sign_in(hub, servers["hub"].url, case_manager, path)
        expect(hub.locator('[data-consent="ended"]')).to_be_visible()
        expect(hub.locator("table.records")).to_have_count(0)
        expect(hub.locator('[data-records="none"]')).to_be_visible()
        shot(hub, "hub-case-after-revocation")
