"""Personal API tokens (IAM-3): same permissions as the portal, revocable, stored hashed."""

from __future__ import annotations

import pytest
from django.test import Client

from interact.accounts import services
from interact.accounts.models import ApiToken


@pytest.mark.django_db
def test_token_secret_is_never_stored(admin):
    token, secret = services.create_api_token(admin, "ci")
    assert secret not in token.digest and ApiToken.objects.filter(digest=secret).count() == 0
    assert secret.startswith(f"ik_{token.prefix}_")


@pytest.mark.django_db
def test_token_carries_the_users_permissions(make_user, org, api_client):
    analyst = make_user(org, role="analyst")
    c = api_client(analyst)
    me = c.get("/api/me").json()
    assert "stats.view" in me["permissions"] and "users.manage" not in me["permissions"]
    assert c.get("/api/users").status_code == 403


@pytest.mark.django_db
def test_revoked_and_tampered_tokens_are_refused(admin):
    token, secret = services.create_api_token(admin, "ci")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/me").status_code == 200
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret[:-2]}xx").get("/api/me").status_code == 401
    services.revoke_api_token(token)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/me").status_code == 401


@pytest.mark.django_db
def test_tokens_are_managed_through_the_api(admin, api_client):
    c = api_client(admin)
    created = c.post("/api/tokens", {"name": "deploy"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["secret"].startswith("ik_")
    listed = c.get("/api/tokens").json()
    assert {t["name"] for t in listed} == {"test", "deploy"}
    assert c.delete(f"/api/tokens/{created.json()['id']}").status_code == 204
    assert c.post("/api/tokens", {"name": ""}, content_type="application/json").status_code == 400


@pytest.mark.django_db
def test_session_api_calls_need_the_csrf_token(admin):
    c = Client(enforce_csrf_checks=True)
    c.force_login(admin, backend="interact.accounts.backends.LockoutBackend")
    assert c.get("/api/me").status_code == 200
    assert c.post("/api/tokens", {"name": "x"}, content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_api_without_credentials_is_401(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
