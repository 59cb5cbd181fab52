"""IAM-1, IAM-2, IAM-6: sign-in, lockout after 5 failures on every path, no enumeration, sessions."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from interact.accounts.models import User

PASSWORD = "correct-horse-battery-9"


def _post_login(client, email, password, url="accounts:login"):
    return client.post(reverse(url), {"email": email, "password": password})


def _without_csrf(html: bytes) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", html.decode())


def _link_from_last_mail() -> str:
    return re.search(r"http://\S+/accounts/password/set/\S+/", mail.outbox[-1].body).group(0)


@pytest.mark.django_db(transaction=True)
def test_iam1_login_with_email_and_password_opens_a_session(client, admin):
    response = _post_login(client, admin.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_iam1_passwords_are_hashed_with_argon2(admin):
    assert admin.password.startswith("argon2")


@pytest.mark.django_db(transaction=True)
def test_iam2_fifth_failure_blocks_even_the_right_password_and_mails_an_unlock_link(client, admin):
    for _ in range(4):
        assert _post_login(client, admin.email, "wrong-password").status_code == 400
    admin.refresh_from_db()
    assert admin.failed_logins == 4 and not admin.is_locked
    mail.outbox.clear()
    _post_login(client, admin.email, "wrong-password")
    admin.refresh_from_db()
    assert admin.is_locked
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [admin.email]
    assert _post_login(client, admin.email, PASSWORD).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_iam2_only_a_new_password_through_the_emailed_link_unblocks(client, admin):
    for _ in range(5):
        _post_login(client, admin.email, "wrong-password")
    link = _link_from_last_mail()
    path = link.split("127.0.0.1:8000", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path, {"new_password1": "a-brand-new-secret-77", "new_password2": "a-brand-new-secret-77"})
    assert response.status_code == 302
    admin.refresh_from_db()
    assert not admin.is_locked and admin.failed_logins == 0
    assert _post_login(client, admin.email, "a-brand-new-secret-77").status_code == 302
    # The link is single-use: the password hash it was signed with has changed.
    assert client.get(path).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_iam2_a_success_resets_the_failure_count(client, admin):
    for _ in range(4):
        _post_login(client, admin.email, "nope-nope-nope")
    assert _post_login(client, admin.email, PASSWORD).status_code == 302
    admin.refresh_from_db()
    assert admin.failed_logins == 0


@pytest.mark.django_db(transaction=True)
def test_iam2_unknown_locked_and_wrong_look_identical(client, admin, make_user, org):
    locked = make_user(org)
    User.objects.filter(pk=locked.pk).update(locked_at="2026-01-01T00:00:00Z")
    bodies = []
    for email, password in [("nobody@example.test", PASSWORD), (locked.email, PASSWORD), (admin.email, "wrong-one")]:
        response = _post_login(client, email, password)
        assert response.status_code == 400
        bodies.append(re.sub(r'name="email"[^>]*>', "", _without_csrf(response.content)))
    assert bodies[0] == bodies[1] == bodies[2]


@pytest.mark.django_db(transaction=True)
def test_iam2_reset_request_answers_the_same_for_unknown_addresses(client, admin):
    mail.outbox.clear()
    known = client.post(reverse("accounts:password_reset"), {"email": admin.email})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "ghost@example.test"})
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.content) == _without_csrf(unknown.content)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [admin.email]


@pytest.mark.django_db(transaction=True)
def test_iam2_api_token_exchange_counts_failures_and_obeys_the_block(client, admin):
    url = "/api/auth/token"
    for _ in range(5):
        response = client.post(url, {"email": admin.email, "password": "bad-guess"}, content_type="application/json")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_credentials"
    admin.refresh_from_db()
    assert admin.is_locked
    response = client.post(url, {"email": admin.email, "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
def test_iam2_a_blocked_account_loses_its_sessions_and_tokens(client, admin, api_client, login):
    token_client = api_client(admin)
    portal = login(admin)
    assert token_client.get("/api/me").status_code == 200
    User.objects.filter(pk=admin.pk).update(locked_at="2026-01-01T00:00:00Z")
    assert token_client.get("/api/me").status_code == 401
    assert portal.get(reverse("home")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_iam2_operator_console_uses_the_same_lockout(client, db):
    operator = User.objects.create_user("op@example.test", PASSWORD, realm="operator", first_name="O",
                                        last_name="P", staff_role="operator_admin")
    for _ in range(5):
        assert _post_login(client, operator.email, "wrong", "operator:login").status_code == 400
    operator.refresh_from_db()
    assert operator.is_locked
    assert _post_login(client, operator.email, PASSWORD, "operator:login").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_iam7_realms_are_separate(client, admin, db):
    """A client account cannot sign in to the operator console, nor staff to the portal (IAM-7)."""
    operator = User.objects.create_user("op2@example.test", PASSWORD, realm="operator", first_name="O",
                                        last_name="P", staff_role="operator_admin")
    assert _post_login(client, admin.email, PASSWORD, "operator:login").status_code == 400
    assert _post_login(client, operator.email, PASSWORD).status_code == 400
    client.force_login(admin, backend="interact.accounts.backends.LockoutBackend")
    assert client.get(reverse("operator:organisations")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_iam6_logout_ends_the_session(client, admin):
    _post_login(client, admin.email, PASSWORD)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_iam6_password_change_signs_out_other_sessions_only(admin):
    from django.test import Client

    here, elsewhere = Client(), Client()
    for c in (here, elsewhere):
        assert _post_login(c, admin.email, PASSWORD).status_code == 302
    response = here.post(reverse("accounts:my_account"), {
        "action": "password", "old_password": PASSWORD,
        "new_password1": "another-long-secret-31", "new_password2": "another-long-secret-31"})
    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_iam6_deactivation_ends_sessions_and_tokens(admin, make_user, org, login, api_client):
    from django.test import Client

    agent = make_user(org)
    agent_portal = Client()
    agent_portal.force_login(agent, backend="interact.accounts.backends.LockoutBackend")
    agent_api = api_client(agent)
    assert agent_api.get("/api/me").status_code == 200
    admin_client = login(admin)
    response = admin_client.post(reverse("accounts:user_edit", args=[agent.pk]), {"action": "deactivate"})
    assert response.status_code == 302
    assert agent_portal.get(reverse("home")).status_code == 302
    assert agent_api.get("/api/me").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_iam1_forged_or_garbled_reset_links_are_refused(client, admin):
    assert client.get("/accounts/password/set/MQ/not-a-token/").status_code == 400
    assert client.get("/accounts/password/set/%%%/x-y/").status_code in (400, 404)
