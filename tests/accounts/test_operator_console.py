"""TEN-1: the operator creates an organisation from an order form and activates it in 4 recorded steps."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from interact.accounts.models import ActivationStepKind, Organisation, User

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def operator(db):
    return User.objects.create_user("ops@example.test", PASSWORD, realm="operator", first_name="Op",
                                    last_name="Erator", staff_role="operator_admin")


ORDER = {"name": "Bakkerij Peeters", "plan": "pro", "options": ["sdk", "training"], "min_end_users": 4,
         "first_name": "Piet", "last_name": "Peeters", "email": "piet@bakkerij.test", "language": "nl"}


@pytest.mark.django_db(transaction=True)
def test_ten1_order_form_creates_org_first_admin_and_records_steps(client, operator):
    client.force_login(operator, backend="interact.accounts.backends.LockoutBackend")
    response = client.post(reverse("operator:order_form"), ORDER)
    assert response.status_code == 302
    org = Organisation.objects.get(name="Bakkerij Peeters")
    assert (org.plan, sorted(org.options), org.min_end_users, org.seats) == ("pro", ["sdk", "training"], 4, 4)
    first = org.users.get()
    assert first.role == "administrator" and first.org_profile == "access_owner" and first.mother_tongue == "nl"
    assert mail.outbox[-1].to == ["piet@bakkerij.test"]
    assert "wachtwoord" in mail.outbox[-1].body.lower() or "password" in mail.outbox[-1].body.lower()
    steps = set(org.activation_steps.values_list("step", flat=True))
    assert steps == {ActivationStepKind.ACCOUNT, ActivationStepKind.FIRST_ADMINISTRATOR}
    assert org.status == "pending" and org.activated_at is None

    assert client.post(reverse("operator:activate", args=[org.pk])).status_code == 302
    org.refresh_from_db()
    assert org.status == "active" and org.activated_at is not None
    assert [s.step for s in org.activation_steps.all()] == [k.value for k in ActivationStepKind]
    backup = org.configuration_backups.get()
    assert backup.reason == "activation" and backup.payload["users"][0]["email"] == "piet@bakkerij.test"
    page = client.get(reverse("operator:organisation", args=[org.pk])).content.decode()
    assert page.count('data-step=') == 4


@pytest.mark.django_db
def test_ten1_order_form_validation(client, operator):
    client.force_login(operator, backend="interact.accounts.backends.LockoutBackend")
    bad = client.post(reverse("operator:order_form"), {**ORDER, "plan": "gold", "min_end_users": 0})
    assert bad.status_code == 400
    client.post(reverse("operator:order_form"), ORDER)
    again = client.post(reverse("operator:order_form"), ORDER)
    assert again.status_code == 400 and "already has an account" in again.content.decode()


@pytest.mark.django_db
def test_iam7_operator_console_is_operator_only(client, admin):
    client.force_login(admin, backend="interact.accounts.backends.LockoutBackend")
    for name in ("operator:organisations", "operator:order_form"):
        assert client.get(reverse(name)).status_code == 403
    anonymous = client.__class__()
    assert anonymous.get(reverse("operator:organisations")).status_code == 302
