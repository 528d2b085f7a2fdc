"""Journeys in a real Chromium against real servers on loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.chromium import launched, phone_page, serving, shot, sign_in
from tests.web.conftest import WebRegion
from youthbridge.security.permissions import Role
from youthbridge.web.serving import BackgroundServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def servers(web_region: WebRegion) -> Iterator[dict[str, BackgroundServer]]:
    apps = {"hub": web_region.hub_app, "0180": web_region.district_app("0180")}
    with serving(apps) as started:
        yield started


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with phone_page(browser) as opened:
        yield opened


def test_a_hub_supervisor_signs_in_and_sees_the_charts(
    web_region: WebRegion, servers: dict[str, BackgroundServer], page: Page
) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]

    sign_in(page, servers["hub"].url, supervisor, "/trends")

    expect(page.get_by_role("heading", name="Trends", exact=True)).to_be_visible()
    assert page.locator("figure svg").count() >= 3
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    shot(page, "hub-dashboard-phone")


def test_a_hub_supervisor_asks_a_district_to_reach_out(
    web_region: WebRegion, servers: dict[str, BackgroundServer], page: Page
) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    sign_in(page, servers["hub"].url, supervisor, "/at-risk?district=0180")

    boxes = page.locator('input[name="pseudonym"]')
    assert boxes.count() > 0
    boxes.nth(boxes.count() - 1).check()
    page.get_by_label("Programme to offer").select_option("family-support")
    page.get_by_role("button", name="Ask the district to reach out").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Outreach was requested for 1 students of district 0180."
    )
    shot(page, "hub-outreach-requested")

    # The district received the request and its counselor sees the family.
    sign_in(page, servers["0180"].url, counselor, "/outreach")
    expect(page.get_by_role("cell", name="family-support").first).to_be_visible()
    shot(page, "district-outreach-queue")


def test_a_data_steward_sees_the_quarantined_rows(
    web_region: WebRegion, servers: dict[str, BackgroundServer], page: Page
) -> None:
    steward = web_region.staff("0180")[Role.DATA_STEWARD]
    sign_in(page, servers["0180"].url, steward, "/uploads")

    page.get_by_label("Path on the server").fill(
        str(web_region.folder / "exports" / "0180")
    )
    page.get_by_label("Format").select_option("csv")
    page.get_by_role("button", name="Ingest").first.click()

    expect(page.get_by_role("heading", name="Quarantined rows")).to_be_visible()
    quarantined = int(
        page.locator("[data-quarantined]").get_attribute("data-quarantined") or "0"
    )
    assert quarantined > 0
    rows = page.locator("table.quarantine tbody tr")
    assert rows.count() == min(quarantined, 500)
    shot(page, "district-quarantine")
