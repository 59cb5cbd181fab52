"""ADM-5: general settings (routing, dispatch) and the list of languages, page and API."""

from __future__ import annotations

import json

import pytest

from interact.accounts import services as account_services
from interact.admin_portal import selectors
from interact.admin_portal.models import GeneralSettings, Language

pytestmark = pytest.mark.django_db


def _put(client, path, body):
    return client.put(path, data=json.dumps(body), content_type="application/json")


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_adm5_settings_page_toggles_routing_and_dispatch(org, admin, login):
    client = login(admin)
    page = client.get("/portal/settings/")
    assert page.status_code == 200
    assert "Routing" in page.content.decode() and "French" in page.content.decode()
    assert client.post("/portal/settings/", {"routing_enabled": "on"}).status_code == 302
    row = selectors.general_settings(org)
    assert row.routing_enabled and not row.dispatch_enabled
    client.post("/portal/settings/", {"dispatch_enabled": "on"})
    row.refresh_from_db()
    assert not row.routing_enabled and row.dispatch_enabled


@pytest.mark.parametrize("role", ["agent", "supervisor", "analyst"])
def test_adm5_settings_page_forbidden_without_permission(org, make_user, login, role):
    client = login(make_user(org, role))
    assert client.get("/portal/settings/").status_code == 403
    assert client.post("/portal/settings/", {"routing_enabled": "on"}).status_code == 403
    assert client.post("/portal/settings/languages/", {"code": "de"}).status_code == 403
    assert client.post("/portal/settings/languages/fr/remove/").status_code == 403
    assert not selectors.general_settings(org).routing_enabled
    assert Language.objects.for_org(org).filter(code="fr").exists()


def test_adm5_add_and_remove_language_on_page(org, admin, login, make_user):
    agent = make_user(org, "agent")
    account_services.set_routing_profile(agent, [], [], ["fr", "nl"])
    client = login(admin)
    assert client.post("/portal/settings/languages/", {"code": "de"}).status_code == 302
    assert Language.objects.for_org(org).filter(code="de").exists()
    response = client.post("/portal/settings/languages/", {"code": "de"})  # already there: not a choice
    assert response.status_code == 400
    assert client.post("/portal/settings/languages/", {"code": "xx"}).status_code == 400
    assert client.post("/portal/settings/languages/fr/remove/").status_code == 302
    assert list(agent.languages.values_list("code", flat=True)) == ["nl"]
    assert client.post("/portal/settings/languages/fr/remove/").status_code == 404
    assert client.get("/portal/settings/languages/nl/remove/").status_code == 405


def test_adm5_language_of_other_organisation_untouched(org, other_org, admin, login):
    Language.objects.for_org(org).filter(code="en").delete()
    assert login(admin).post("/portal/settings/languages/en/remove/").status_code == 404
    assert Language.objects.for_org(other_org).filter(code="en").exists()


def test_adm5_api_settings(org, other_org, admin, api_client, make_user):
    client = api_client(admin)
    assert client.get("/api/settings").json() == {"routing_enabled": False, "dispatch_enabled": False,
                                                  "offer_timeout_seconds": 60}
    response = _put(client, "/api/settings", {"routing_enabled": True, "dispatch_enabled": True})
    assert response.status_code == 200 and response.json()["routing_enabled"] is True
    assert response.json()["offer_timeout_seconds"] == 60
    changed = _put(client, "/api/settings", {"routing_enabled": True, "dispatch_enabled": True,
                                             "offer_timeout_seconds": 120})
    assert changed.json()["offer_timeout_seconds"] == 120  # CNV-2
    assert _put(client, "/api/settings", {"routing_enabled": True, "dispatch_enabled": True,
                                          "offer_timeout_seconds": 5}).status_code == 422
    assert selectors.general_settings(org).dispatch_enabled
    assert not selectors.general_settings(other_org).routing_enabled
    assert _put(client, "/api/settings", {"routing_enabled": "maybe", "dispatch_enabled": True}).status_code == 422
    assert _put(client, "/api/settings", {}).status_code == 422
    assert api_client(make_user(org, "agent")).get("/api/settings").status_code == 403
    assert _put(api_client(make_user(org, "supervisor")), "/api/settings",
                {"routing_enabled": False, "dispatch_enabled": False}).status_code == 403
    assert GeneralSettings.objects.get(organisation=org).routing_enabled


def test_adm5_api_languages(org, other_org, admin, api_client, make_user):
    agent = make_user(org, "agent")
    account_services.set_routing_profile(agent, [], [], ["nl"])
    client = api_client(admin)
    assert [lang["code"] for lang in client.get("/api/languages").json()] == ["en", "fr", "nl"]
    created = _post(client, "/api/languages", {"code": "de"})
    assert created.status_code == 201 and created.json() == {"code": "de", "name": "German"}
    assert _post(client, "/api/languages", {"code": "de"}).status_code == 409
    bad = _post(client, "/api/languages", {"code": "xx"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_language"
    assert _post(client, "/api/languages", {}).status_code == 422
    assert client.delete("/api/languages/nl").status_code == 204
    assert agent.languages.count() == 0
    assert client.delete("/api/languages/nl").status_code == 404
    assert client.delete("/api/languages/" + "x" * 300).status_code == 404
    assert Language.objects.for_org(other_org).filter(code="nl").exists()
    assert api_client(make_user(org, "agent")).get("/api/languages").status_code == 403
