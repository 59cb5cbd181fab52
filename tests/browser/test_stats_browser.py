"""The statistics dashboard in Chromium (STA-1, STA-2): every tab in English, French and Dutch,
charts drawn by the vendored Chart.js next to their tables; an Analyst has no End users tab.
On the ASGI server (``live_page``): the week's conversations are stored from the test thread, and
their live events need the server's loop."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

# The hand-timed week of tests/stats/conftest.py, reused as is (conftest fixtures do not cross folders).
_spec = importlib.util.spec_from_file_location("stats_week", Path(__file__).parents[1] / "stats" / "conftest.py")
_week = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_week)
office_hours, channels, people, week = _week.office_hours, _week.channels, _week.people, _week.week

pytestmark = pytest.mark.browser

WEEK = "?period=custom&start=2026-03-01&end=2026-03-07"
TABS = [("conversations", "/portal/stats/", "per_channel"), ("messages", "/portal/stats/messages/",
                                                              "messages_distribution"),
        ("end-users", "/portal/stats/end-users/", "per_end_user")]


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_sta1_sta2_every_tab_with_charts(live_page, week, admin, sign_in, shot, language):
    page = live_page
    sign_in(page, admin.email)
    if language != "en":
        page.click(f"button[data-lang={language}]")
        page.wait_for_function(f"document.documentElement.lang === '{language}'")
    for name, path, first_table in TABS:
        page.goto(page.base + path + WEEK)
        page.wait_for_selector(f"#table-{first_table} canvas")
        assert page.locator("html").get_attribute("lang") == language
        drawn = page.evaluate("() => [...document.querySelectorAll('canvas[data-chart]')]"
                              ".every(c => window.Chart && window.Chart.getChart(c))")
        assert drawn, f"a chart of the {name} tab was not drawn"
        assert page.locator(f"nav.stats-tabs a[data-tab='{name}'].current").count() == 1
        shot(page, f"stats-{name}-{language}")
    page.goto(page.base + "/portal/stats/" + WEEK + "&time=business")
    assert page.locator("#f-time").input_value() == "business"


def test_sta2_analyst_sees_no_end_users_tab(live_page, week, people, sign_in):
    page = live_page
    analyst = people["ann"]
    analyst.set_password("correct-horse-battery-9")
    analyst.save()
    sign_in(page, analyst.email)
    page.goto(page.base + "/portal/stats/" + WEEK)
    page.wait_for_selector("#table-per_channel")
    assert page.locator("nav.stats-tabs a[data-tab='end-users']").count() == 0
    assert "Anna" not in page.content()
    response = page.goto(page.base + "/portal/stats/end-users/" + WEEK)
    assert response.status == 403


def test_sta1_bad_period_is_explained_on_the_page(page, admin, sign_in):
    sign_in(page, admin.email)
    response = page.goto(page.base + "/portal/stats/?period=custom&start=2026-03-07&end=2026-03-01")
    assert response.status == 400
    assert page.locator("#stats-error[data-code=period_reversed]").count() == 1
