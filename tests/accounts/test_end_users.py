"""ADM-1 end users through the portal and the API; IAM-4 profiles; seat limits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from interact.accounts.models import User


def _form(**overrides):
    data = {"first_name": "Nora", "last_name": "Nieuw", "email": "nora@example.test", "role": "agent",
            "mother_tongue": "nl"}
    data.update(overrides)
    return data


@pytest.mark.django_db(transaction=True)
def test_adm1_admin_creates_an_end_user_who_is_invited_by_email(admin, login):
    client = login(admin)
    response = client.post(reverse("accounts:user_create"), _form())
    assert response.status_code == 302
    nora = User.objects.get(email="nora@example.test")
    assert nora.organisation == admin.organisation and nora.role == "agent" and nora.mother_tongue == "nl"
    assert not nora.has_usable_password()
    assert mail.outbox[-1].to == ["nora@example.test"] and "/accounts/password/set/" in mail.outbox[-1].body


@pytest.mark.django_db
def test_adm1_form_errors_are_explained_not_500(admin, login):
    client = login(admin)
    response = client.post(reverse("accounts:user_create"), _form(email="not-an-email", role="pope"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "valid email" in body.lower() or "e-mail" in body.lower()
    dup = client.post(reverse("accounts:user_create"), _form(email=admin.email))
    assert dup.status_code == 400 and "already has an account" in dup.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["first_name", "-last_name", "email", "role", "mother_tongue", "bogus"])
def test_adm1_search_and_sort_on_every_field(admin, make_user, org, login, sort):
    make_user(org, first_name="Zoé", last_name="Alpha", email="zoe@example.test", mother_tongue="fr")
    make_user(org, role="analyst", first_name="Bram", last_name="Omega", email="bram@example.test", mother_tongue="nl")
    client = login(admin)
    response = client.get(reverse("accounts:users"), {"q": "", "sort": sort})
    assert response.status_code == 200
    for query, expected in [("zoe@", "zoe@example.test"), ("Omega", "bram@example.test"), ("analyst", "bram@"),
                            ("nl", "bram@")]:
        body = client.get(reverse("accounts:users"), {"q": query}).content.decode()
        assert expected in body


@pytest.mark.django_db
def test_adm1_api_sorting_is_real(admin, make_user, org, api_client):
    make_user(org, first_name="Aaron", last_name="Zed")
    make_user(org, first_name="Zora", last_name="Aardvark")
    c = api_client(admin)
    asc = [u["last_name"] for u in c.get("/api/users?sort=last_name").json()]
    desc = [u["last_name"] for u in c.get("/api/users?sort=-last_name").json()]
    assert asc == sorted(asc) and desc == list(reversed(asc))
    by_first = [u["first_name"] for u in c.get("/api/users?sort=first_name").json()]
    assert by_first == sorted(by_first)


@pytest.mark.django_db
def test_adm1_api_crud(admin, api_client):
    c = api_client(admin)
    created = c.post("/api/users", _form(), content_type="application/json")
    assert created.status_code == 201, created.content
    uid = created.json()["id"]
    updated = c.put(f"/api/users/{uid}", _form(role="supervisor", last_name="Renamed"), content_type="application/json")
    assert updated.status_code == 200 and updated.json()["role"] == "supervisor"
    assert c.get(f"/api/users/{uid}").json()["last_name"] == "Renamed"
    assert c.delete(f"/api/users/{uid}").status_code == 204
    assert c.get(f"/api/users/{uid}").status_code == 404


@pytest.mark.django_db
def test_adm1_api_validation_is_machine_readable(admin, api_client):
    c = api_client(admin)
    bad = c.post("/api/users", {"first_name": "", "email": "x"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    role = c.post("/api/users", _form(role="pope"), content_type="application/json")
    assert role.status_code == 400 and role.json()["error"]["code"] == "invalid_role"
    garbage = c.post("/api/users", "{not json", content_type="application/json")
    assert 400 <= garbage.status_code < 500


@pytest.mark.django_db
def test_adm1_agents_and_analysts_cannot_manage_users(make_user, org, login, api_client):
    for role in ("agent", "analyst", "supervisor"):
        user = make_user(org, role=role)
        assert login(user).get(reverse("accounts:users")).status_code == 403
        assert api_client(user).post("/api/users", _form(), content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_adm1_the_last_administrator_and_oneself_are_protected(admin, login, api_client):
    c = api_client(admin)
    demote = c.put(f"/api/users/{admin.pk}", _form(email=admin.email, role="agent", org_profile="access_owner"),
                   content_type="application/json")
    assert demote.status_code == 409 and demote.json()["error"]["code"] == "last_administrator"
    assert c.delete(f"/api/users/{admin.pk}").status_code == 409


@pytest.mark.django_db
def test_adm8_end_users_cannot_exceed_licensed_seats(make_org, api_client):
    org = make_org(min_end_users=2)
    owner = org.users.get()
    c = api_client(owner)
    assert c.post("/api/users", _form(), content_type="application/json").status_code == 201
    third = c.post("/api/users", _form(email="third@example.test"), content_type="application/json")
    assert third.status_code == 409 and third.json()["error"]["code"] == "no_free_seat"
    portal_only = c.post("/api/users", _form(email="buyer@example.test", role=""), content_type="application/json")
    assert portal_only.status_code == 400  # a portal-only user needs a profile, granted by the Access Owner
    ok = c.post("/api/users", _form(email="buyer@example.test", role="", org_profile="portal_user",
                                    sub_profiles=["buyer"]), content_type="application/json")
    assert ok.status_code == 201, ok.content


@pytest.mark.django_db
def test_adm1_routing_attributes_of_another_org_are_refused(admin, other_org, api_client):
    from interact.admin_portal.models import Skill

    foreign = Skill.objects.create(organisation=other_org, name="Theirs")
    response = api_client(admin).post("/api/users", _form(skills=[foreign.pk]), content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_skill"
    assert not User.objects.filter(email="nora@example.test").exists()


@pytest.mark.django_db
def test_iam4_access_manager_manages_users_but_never_reads_content(admin, org, make_user):
    from interact.core.permissions import has_perm

    manager = make_user(org, role="administrator", org_profile="access_manager")
    assert has_perm(manager, "users.manage")
    for code in ("history.view", "stats.view", "conversations.handle", "visitors.view", "privacy.manage"):
        assert not has_perm(manager, code)


@pytest.mark.django_db
def test_iam4_only_the_access_owner_grants_profiles_and_exactly_one_owner_exists(admin, org, make_user, api_client):
    other_admin = make_user(org, role="administrator")
    response = api_client(other_admin).post(
        "/api/users", _form(org_profile="access_manager"), content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "profile_forbidden"
    owner_grab = api_client(admin).post("/api/users", _form(org_profile="access_owner"),
                                        content_type="application/json")
    assert owner_grab.status_code == 400 and owner_grab.json()["error"]["code"] == "use_transfer"
    assert api_client(admin).post("/api/access-owner/transfer", {"user_id": other_admin.pk},
                                  content_type="application/json").status_code == 204
    owners = list(org.users.filter(org_profile="access_owner"))
    assert owners == [other_admin]


@pytest.mark.django_db
def test_iam4_database_refuses_a_second_access_owner(admin, org, make_user):
    from django.db import IntegrityError, transaction

    user = make_user(org)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(org_profile="access_owner")
