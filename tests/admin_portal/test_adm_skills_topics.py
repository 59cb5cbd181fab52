"""ADM-2 skills and ADM-3 topics: pages and API, per role and across organisations."""

from __future__ import annotations

import json

import pytest

from interact.admin_portal import services
from interact.admin_portal.models import Skill, Topic

pytestmark = pytest.mark.django_db


def _skill(org, name="Invoices", members=()):
    return services.save_skill(org, services.NamedData(name, "About bills", [m.pk for m in members]))


# --- pages ---------------------------------------------------------------------------------------


def test_adm2_skill_list_search_and_sort(org, admin, login):
    for name in ("beta", "Alpha", "gamma"):
        _skill(org, name)
    client = login(admin)
    page = client.get("/portal/skills/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index("Alpha") < body.index("beta") < body.index("gamma")
    desc = client.get("/portal/skills/?sort=-name").content.decode()
    assert desc.index("gamma") < desc.index("beta") < desc.index("Alpha")
    rows = client.get("/portal/skills/?q=ALP", HTTP_HX_REQUEST="true")
    assert rows.status_code == 200
    assert "Alpha" in rows.content.decode() and "gamma" not in rows.content.decode()
    assert "<html" not in rows.content.decode()  # htmx gets only the rows


def test_adm2_create_skill_with_members(org, admin, login, make_user):
    agent = make_user(org, "agent")
    client = login(admin)
    assert client.get("/portal/skills/new/").status_code == 200
    response = client.post("/portal/skills/new/", {"name": "Billing", "description": "Bills", "members": [agent.pk]})
    assert response.status_code == 302
    skill = Skill.objects.for_org(org).get(name="Billing")
    assert list(skill.members.all()) == [agent]


def test_adm2_member_choices_exclude_analysts_inactive_and_other_orgs(org, other_org, admin, login, make_user):
    analyst = make_user(org, "analyst")
    inactive = make_user(org, "agent", is_active=False)
    foreign = make_user(other_org, "agent")
    client = login(admin)
    for user in (analyst, inactive, foreign):
        response = client.post("/portal/skills/new/", {"name": "X", "members": [user.pk]})
        assert response.status_code == 400
    assert not Skill.objects.for_org(org).filter(name="X").exists()


def test_adm2_duplicate_name_case_insensitive_is_a_form_error(org, admin, login):
    _skill(org, "Billing")
    response = login(admin).post("/portal/skills/new/", {"name": "BILLING"})
    assert response.status_code == 400
    assert "already used" in response.content.decode()


def test_adm2_empty_name_is_a_form_error(admin, login):
    response = login(admin).post("/portal/skills/new/", {"name": "  "})
    assert response.status_code == 400


def test_adm2_edit_and_delete_skill(org, admin, login, make_user):
    agent = make_user(org, "agent")
    skill = _skill(org, "Billing", [agent])
    client = login(admin)
    assert client.get(f"/portal/skills/{skill.pk}/").status_code == 200
    assert client.post(f"/portal/skills/{skill.pk}/", {"name": "Bills", "description": ""}).status_code == 302
    skill.refresh_from_db()
    assert skill.name == "Bills" and skill.members.count() == 0
    confirm = client.get(f"/portal/skills/{skill.pk}/delete/")
    assert confirm.status_code == 200 and "lose this skill" in confirm.content.decode()
    assert client.post(f"/portal/skills/{skill.pk}/delete/").status_code == 302
    assert not Skill.objects.filter(pk=skill.pk).exists()
    agent.refresh_from_db()
    assert agent.is_active  # deleting a skill is safe for its members


@pytest.mark.parametrize("role", ["agent", "supervisor", "analyst"])
def test_adm2_pages_forbidden_without_skills_manage(org, make_user, login, role):
    skill = _skill(org)
    client = login(make_user(org, role))
    assert client.get("/portal/skills/").status_code == 403
    assert client.post("/portal/skills/new/", {"name": "Nope"}).status_code == 403
    assert client.post(f"/portal/skills/{skill.pk}/delete/").status_code == 403
    assert Skill.objects.filter(pk=skill.pk).exists()


def test_adm2_anonymous_is_sent_to_sign_in(client):
    response = client.get("/portal/skills/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_adm2_other_organisation_skill_is_404(other_org, admin, login):
    foreign = _skill(other_org)
    client = login(admin)
    assert client.get(f"/portal/skills/{foreign.pk}/").status_code == 404
    assert client.post(f"/portal/skills/{foreign.pk}/", {"name": "Mine"}).status_code == 404
    assert client.post(f"/portal/skills/{foreign.pk}/delete/").status_code == 404
    assert client.get("/portal/skills/999999/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Invoices"


def test_adm3_topics_pages(org, other_org, admin, login, make_user):
    client = login(admin)
    assert client.post("/portal/topics/new/", {"name": "Delivery", "description": "Parcels"}).status_code == 302
    topic = Topic.objects.for_org(org).get(name="Delivery")
    assert "Delivery" in client.get("/portal/topics/").content.decode()
    assert client.post("/portal/topics/new/", {"name": "delivery"}).status_code == 400
    assert client.post(f"/portal/topics/{topic.pk}/", {"name": "Shipping"}).status_code == 302
    assert client.get("/portal/topics/?q=ship", HTTP_HX_REQUEST="true").content.decode().count("Shipping") >= 1
    foreign = services.save_topic(other_org, services.NamedData("Theirs"))
    assert client.get(f"/portal/topics/{foreign.pk}/").status_code == 404
    assert client.post(f"/portal/topics/{topic.pk}/delete/").status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert login(make_user(org, "agent")).get("/portal/topics/").status_code == 403


def test_adm3_same_name_allowed_in_another_organisation(org, other_org):
    services.save_topic(org, services.NamedData("Returns"))
    services.save_topic(other_org, services.NamedData("Returns"))
    assert Topic.objects.filter(name="Returns").count() == 2


# --- API -------------------------------------------------------------------------------------------


def _json(client, method, path, body=None):
    return getattr(client, method)(path, data=json.dumps(body) if body is not None else None,
                                   content_type="application/json")


def test_adm2_api_crud(org, admin, api_client, make_user):
    agent, supervisor = make_user(org, "agent"), make_user(org, "supervisor")
    client = api_client(admin)
    created = _json(client, "post", "/api/skills", {"name": "Billing", "description": "Bills", "members": [agent.pk]})
    assert created.status_code == 201, created.content
    skill_id = created.json()["id"]
    assert created.json()["members"] == [agent.pk]
    assert client.get(f"/api/skills/{skill_id}").json()["name"] == "Billing"
    updated = _json(client, "put", f"/api/skills/{skill_id}",
                    {"name": "Bills", "description": "", "members": [agent.pk, supervisor.pk]})
    assert updated.status_code == 200 and updated.json()["members"] == sorted([agent.pk, supervisor.pk])
    listing = client.get("/api/skills?q=bil")
    assert [s["name"] for s in listing.json()] == ["Bills"]
    assert client.delete(f"/api/skills/{skill_id}").status_code == 204
    assert client.get(f"/api/skills/{skill_id}").status_code == 404


def test_adm2_api_sort(org, admin, api_client):
    for name in ("b", "A", "c"):
        _skill(org, name)
    client = api_client(admin)
    assert [s["name"] for s in client.get("/api/skills").json()] == ["A", "b", "c"]
    assert [s["name"] for s in client.get("/api/skills?sort=-name").json()] == ["c", "b", "A"]


def test_adm2_api_name_taken_is_409(org, admin, api_client):
    _skill(org, "Billing")
    response = _json(api_client(admin), "post", "/api/skills", {"name": "billing"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "name_taken"


def test_adm2_api_rename_to_own_name_in_other_case_is_allowed(org, admin, api_client):
    skill = _skill(org, "Billing")
    response = _json(api_client(admin), "put", f"/api/skills/{skill.pk}", {"name": "BILLING"})
    assert response.status_code == 200 and response.json()["name"] == "BILLING"


def test_adm2_api_foreign_member_is_400_unknown_user(org, other_org, admin, api_client, make_user):
    foreign = make_user(other_org, "agent")
    client = api_client(admin)
    for members in ([foreign.pk], [10**12], [-1]):
        response = _json(client, "post", "/api/skills", {"name": "X", "members": members})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "unknown_user"
    analyst = make_user(org, "analyst")
    response = _json(client, "post", "/api/skills", {"name": "X", "members": [analyst.pk]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "not_eligible"
    assert not Skill.objects.filter(name="X").exists()


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": "ok", "members": ["a"]},
                                  {"name": "ok", "description": "d" * 2001}, {"name": None}])
def test_adm2_api_validation_is_422(admin, api_client, body):
    response = _json(api_client(admin), "post", "/api/skills", body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_adm2_api_blank_name_is_400(admin, api_client):
    response = _json(api_client(admin), "post", "/api/skills", {"name": "   "})
    assert response.status_code == 400 and response.json()["error"]["code"] == "name_required"


def test_adm2_api_forbidden_for_agent(org, make_user, api_client):
    client = api_client(make_user(org, "agent"))
    assert client.get("/api/skills").status_code == 403
    assert _json(client, "post", "/api/skills", {"name": "X"}).status_code == 403


def test_adm2_api_other_organisation_is_404(other_org, admin, api_client):
    foreign = _skill(other_org)
    client = api_client(admin)
    assert client.get(f"/api/skills/{foreign.pk}").status_code == 404
    assert _json(client, "put", f"/api/skills/{foreign.pk}", {"name": "Mine"}).status_code == 404
    assert client.delete(f"/api/skills/{foreign.pk}").status_code == 404
    assert client.get("/api/skills/99999999999999999999").status_code in (404, 422)
    assert client.get("/api/skills").json() == []
    assert Skill.objects.filter(pk=foreign.pk).exists()


def test_adm3_api_crud_and_isolation(org, other_org, admin, api_client, make_user):
    client = api_client(admin)
    created = _json(client, "post", "/api/topics", {"name": "Delivery", "description": "Parcels"})
    assert created.status_code == 201
    topic_id = created.json()["id"]
    assert _json(client, "post", "/api/topics", {"name": "DELIVERY"}).json()["error"]["code"] == "name_taken"
    assert _json(client, "put", f"/api/topics/{topic_id}", {"name": "Shipping"}).json()["name"] == "Shipping"
    assert [t["name"] for t in client.get("/api/topics?q=SHIP").json()] == ["Shipping"]
    foreign = services.save_topic(other_org, services.NamedData("Theirs"))
    assert client.get(f"/api/topics/{foreign.pk}").status_code == 404
    assert client.delete(f"/api/topics/{foreign.pk}").status_code == 404
    assert client.delete(f"/api/topics/{topic_id}").status_code == 204
    assert api_client(make_user(org, "supervisor")).get("/api/topics").status_code == 403
