"""Journeys in a real Chromium against real servers on loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.web.conftest import WebRegion
from youthbridge.security.permissions import Role
from youthbridge.web.serving import BackgroundServer
from youthbridge.web.staff import StaffAccount

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def servers(web_region: WebRegion) -> Iterator[dict[str, BackgroundServer]]:
    started = {
        "hub": BackgroundServer(web_region.hub_app).start(),
        "0180": BackgroundServer(web_region.district_app("0180")).start(),
    }
    yield started
    for server in started.values():
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page: Page, base: str, account: StaffAccount, path: str) -> None:
    page.goto(f"{base}{path}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("heading", name="Enter your authenticator code")
    ).to_be_visible()
    page.get_by_label("Code").fill(account.code())
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base}{path}")


def test_a_hub_supervisor_signs_in_and_sees_the_charts(
    web_region: WebRegion, servers: dict[str, BackgroundServer], page: Page
) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]

    _sign_in(page, servers["hub"].url, supervisor, "/trends")

    expect(page.get_by_role("heading", name="Trends", exact=True)).to_be_visible()
    assert page.locator("figure svg").count() >= 3
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    _shot(page, "hub-dashboard-phone")


def test_a_hub_supervisor_asks_a_district_to_reach_out(
    web_region: WebRegion, servers: dict[str, BackgroundServer], page: Page
) -> None:
    supervisor = web_region.staff()[Role.SUPERVISOR]
    counselor = web_region.staff("0180")[Role.SCHOOL_COUNSELOR]
    _sign_in(page, servers["hub"].url, supervisor, "/at-risk?district=0180")

    boxes = page.locator('input[name="pseudonym"]')
    assert boxes.count() > 0
    boxes.nth(boxes.count() - 1).check()
    page.get_by_label("Programme to offer").select_option("family-support")
    page.get_by_role("button", name="Ask the district to reach out").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Outreach was requested for 1 students of district 0180."
    )
    _shot(page, "hub-outreach-requested")

    # The district received the request and its counselor sees the family.
    _sign_in(page, servers["0180"].url, counselor, "/outreach")
    expect(page.get_by_role("cell", name="family-support").first).to_be_visible()
    _shot(page, "district-outreach-queue")


def test_a_data_steward_sees_the_quarantined_rows(
    web_region: WebRegion, servers: dict[str, BackgroundServer], page: Page
) -> None:
    steward = web_region.staff("0180")[Role.DATA_STEWARD]
    _sign_in(page, servers["0180"].url, steward, "/uploads")

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
    _shot(page, "district-quarantine")
