"""Browser walks of the foundation: sign in, create an end user, lockout and unblock, language switch.

IAM-1, IAM-2, ADM-1, OPS-3 — in Debian's Chromium through Playwright.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery-9"


def _sign_in(page, email, password):
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:not([name=language])")


def test_adm1_admin_signs_in_and_creates_an_end_user(page, admin, shot):
    _sign_in(page, admin.email, PASSWORD)
    page.wait_for_url(re.compile(r".*/$"))
    assert "Welcome" in page.text_content("h1")
    page.click("nav.side >> text=End users")
    page.click("text=New end user")
    page.fill("input[name=first_name]", "Nora")
    page.fill("input[name=last_name]", "Nieuw")
    page.fill("input[name=email]", "nora@example.test")
    page.select_option("select[name=role]", "agent")
    page.select_option("select[name=mother_tongue]", "nl")
    page.click("button[value=save]")
    page.wait_for_selector("tr[data-email='nora@example.test']")
    assert "Nora was created" in page.text_content(".messages") or "Nora Nieuw" in page.text_content(".messages")
    shot(page, "end-users-after-create")
    page.fill("input[type=search]", "nieuw")
    page.wait_for_function("document.querySelectorAll('#user-rows tr').length === 1")
    assert page.locator("#user-rows tr").first.get_attribute("data-email") == "nora@example.test"


def test_iam2_lockout_then_unblock_through_the_emailed_link(page, admin, shot):
    for _ in range(5):
        _sign_in(page, admin.email, "wrong-password")
        page.wait_for_selector(".errorlist")
    _sign_in(page, admin.email, PASSWORD)
    page.wait_for_selector(".errorlist")
    assert "blocked" in page.text_content(".errorlist")
    shot(page, "login-blocked")
    link = re.search(r"http://\S+/accounts/password/set/\S+/", mail.outbox[-1].body).group(0)
    page.goto(page.base + link.split("127.0.0.1:8000", 1)[1])
    page.fill("input[name=new_password1]", "fresh-password-after-block")
    page.fill("input[name=new_password2]", "fresh-password-after-block")
    page.click("form button[type=submit]:not([name=language])")
    page.wait_for_selector(".messages")
    _sign_in(page, admin.email, "fresh-password-after-block")
    page.wait_for_selector("h1:has-text('Welcome')")


def test_ops3_language_switch_to_french_and_dutch(page, admin, shot):
    _sign_in(page, admin.email, PASSWORD)
    page.wait_for_selector("h1:has-text('Welcome')")
    page.click("button[data-lang=fr]")
    page.wait_for_selector("h1:has-text('Bienvenue')")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("nav.side >> text=Utilisateurs finaux").count() == 1
    shot(page, "home-fr")
    page.click("button[data-lang=nl]")
    page.wait_for_selector("h1:has-text('Welkom')")
    shot(page, "home-nl")


def test_ops3_language_follows_the_browser(browser, live_server, transactional_db):
    context = browser.new_context(locale="nl-BE")
    pg = context.new_page()
    pg.goto(live_server.url + "/accounts/login/")
    assert pg.locator("html").get_attribute("lang") == "nl"
    context.close()
