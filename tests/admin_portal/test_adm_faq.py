"""ADM-7: the FAQ per role, page and API."""

from __future__ import annotations

import pytest

from interact.admin_portal import faq

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["administrator", "supervisor", "agent", "analyst"])
def test_adm7_faq_page_puts_the_readers_role_first(org, make_user, login, role):
    response = login(make_user(org, role)).get("/portal/faq/")
    assert response.status_code == 200
    body = response.content.decode()
    positions = {r: body.index(f'data-role="{r}"') for r in faq.ALL_ROLES}
    assert min(positions, key=positions.get) == role
    assert "5 failed sign-in attempts" in body


def test_adm7_faq_covers_the_required_subjects():
    keys = {e.key for e in faq.ENTRIES}
    assert {"sign-in", "blocked", "end-users", "skills", "topics", "channels", "away", "general-settings",
            "office-hours", "seats", "api-tokens"} <= keys
    for role in faq.ALL_ROLES:
        assert len(faq.entries_for(role)) >= 5


def test_adm7_faq_is_translated(org, make_user, login):
    client = login(make_user(org, "agent"))
    english = client.get("/portal/faq/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How do I sign in?" in english


def test_adm7_faq_forbidden_to_access_managers(org, make_user, login):
    manager = make_user(org, "", org_profile="access_manager")
    assert login(manager).get("/portal/faq/").status_code == 403


def test_adm7_api_faq_for_caller_role(org, make_user, api_client):
    analyst = api_client(make_user(org, "analyst")).get("/api/faq")
    assert analyst.status_code == 200
    data = analyst.json()
    assert data["role"] == "analyst"
    assert {"statistics", "sign-in", "blocked"} <= {e["key"] for e in data["entries"]}
    assert "skills" not in {e["key"] for e in data["entries"]}
    admin_entries = api_client(make_user(org, "administrator")).get("/api/faq").json()["entries"]
    assert "office-hours" in {e["key"] for e in admin_entries}
    manager = make_user(org, "", org_profile="access_manager")
    assert api_client(manager).get("/api/faq").status_code == 403


def test_adm7_common_entries_appear_once_right_after_the_readers_role():
    sections = faq.sections_for("agent")
    assert [key for key, _heading, _entries in sections][:2] == ["agent", "everyone"]
    keys = [e.key for _k, _h, entries in sections for e in entries]
    assert keys.count("blocked") == 1
    assert all(entries for _k, _h, entries in sections)
