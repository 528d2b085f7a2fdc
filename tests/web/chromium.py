"""Driving a real Chromium: the system's browser, a phone-sized page, screenshots.

The browser is the system's /usr/bin/chromium, never one the test tool would
download. Pages are the size of a phone, and every journey leaves screenshots in
test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import (
    Browser,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from youthbridge.web.serving import BackgroundServer
from youthbridge.web.staff import StaffAccount

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
PHONE: ViewportSize = {"width": 390, "height": 844}
WAIT_MS = 20_000


@contextmanager
def launched() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def phone_page(browser: Browser) -> Iterator[Page]:
    """A page of its own (own cookies), so each persona signs in separately."""
    context = browser.new_context(viewport=PHONE)
    try:
        opened = context.new_page()
        opened.set_default_timeout(WAIT_MS)
        yield opened
    finally:
        context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, account: StaffAccount, path: str) -> None:
    """Sign in with password and authenticator code, landing on `path`."""
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


@contextmanager
def serving(apps: dict[str, FastAPI]) -> Iterator[dict[str, BackgroundServer]]:
    """Each app on its own loopback port; every one is stopped on the way out."""
    started: dict[str, BackgroundServer] = {}
    try:
        for name, app in apps.items():
            started[name] = BackgroundServer(app).start()
        yield started
    finally:
        for server in started.values():
            server.stop()
