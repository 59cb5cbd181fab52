"""Playwright driving Debian's Chromium (never a downloaded browser) against a live test server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("INTERACT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="module")
def browser():
    """Module-scoped so Playwright's event loop is gone before the asyncio tests of other modules run."""
    if not _chromium_available():
        if os.environ.get("INTERACT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} but INTERACT_REQUIRE_BROWSER=1")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15000)
    pg = context.new_page()
    pg.base = live_server.url
    yield pg
    context.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(pg, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def live_page(browser, asgi_server):
    """Like ``page`` but on the ASGI server, so websockets work; ``new_page()`` opens another
    browser context (a second person) on the same server."""
    contexts = []

    def new_page(locale: str = "en-GB"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(15000)
        contexts.append(context)
        pg = context.new_page()
        pg.base = asgi_server
        return pg

    pg = new_page()
    pg.new_page = new_page
    yield pg
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in():
    """``sign_in(page, email)`` through the real login form; waits for the home page."""
    import re

    def do(page, email: str, password: str = "correct-horse-battery-9") -> None:
        page.goto(page.base + "/accounts/login/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]:not([name=language])")
        page.wait_for_url(re.compile(r".*/$"))

    return do
