"""PRV-6: every view of a visitor profile, conversation or package is logged, by end users and operator
staff; operator staff need a recorded reason; the organisation's Administrator reviews the log."""

from __future__ import annotations

import pytest

from interact.privacy.models import AccessLogEntry


@pytest.fixture
def conv(make_visitor, say):
    return say(make_visitor(first_name="Lotte"), "Hello").conversation


def test_prv6_opening_a_conversation_in_the_inbox_and_history_is_logged(org, admin, login, conv):
    from interact.conversations import services as conversations

    client = login(admin)
    assert client.get(f"/portal/inbox/{conv.pk}/").status_code == 200
    conversations.end(conv, None)
    assert client.get(f"/portal/history/{conv.pk}/").status_code == 200
    rows = list(AccessLogEntry.objects.for_org(org).values_list("actor_id", "kind", "object_id", "visitor_id", "via"))
    assert rows == [(admin.pk, "conversation", conv.pk, conv.visitor_id, "page")] * 2


def test_prv6_reads_through_the_api_are_logged(org, admin, api_client, conv):
    client = api_client(admin)
    assert client.get(f"/api/conversations/{conv.pk}").status_code == 200
    assert client.get(f"/api/visitors/{conv.visitor_id}").status_code == 200
    kinds = sorted(AccessLogEntry.objects.for_org(org).values_list("kind", "via"))
    assert kinds == [("conversation", "api"), ("visitor", "api")]


def test_prv6_a_refused_read_is_not_logged_as_an_access(org, other_org, make_user, api_client, conv):
    stranger = make_user(other_org, role="administrator")
    assert api_client(stranger).get(f"/api/conversations/{conv.pk}").status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_prv6_the_administrator_reviews_the_log_and_agents_cannot(org, admin, login, make_user, conv):
    agent = make_user(org, role="agent")
    login(agent).get(f"/portal/inbox/{conv.pk}/")
    assert login(agent).get("/portal/privacy/access-log/").status_code == 403
    page = login(admin).get("/portal/privacy/access-log/")
    assert page.status_code == 200 and agent.full_name in page.content.decode()


def test_prv6_operator_staff_need_a_recorded_reason_and_the_client_sees_it(org, admin, login, conv, client):
    from interact.accounts.models import User

    staff = User.objects.create_user("desk@operator.test", "pw-123456789!", realm="operator",
                                     staff_role="service_desk", first_name="Desk", last_name="Agent")
    client.force_login(staff, backend="interact.accounts.backends.LockoutBackend")
    url = f"/operator/privacy/organisations/{org.pk}/conversations/{conv.pk}/"
    assert client.get(url).status_code == 403  # no reason recorded yet
    refused = client.post(f"/operator/privacy/organisations/{org.pk}/", {"action": "access", "ground": "task",
                                                                         "reason": "short"})
    assert refused.status_code == 200 and "at least 10 characters" in refused.content.decode()
    client.post(f"/operator/privacy/organisations/{org.pk}/", {"action": "access", "ground": "task",
                                                               "reason": "Incident INC-2041: messages not delivered"})
    page = client.get(url)
    assert page.status_code == 200 and "Hello" in page.content.decode()
    entry = AccessLogEntry.objects.get(organisation=org)
    assert entry.actor_realm == "operator" and "INC-2041" in entry.reason
    review = login(admin).get("/portal/privacy/access-log/?realm=operator").content.decode()
    assert "INC-2041" in review and "Desk Agent" in review


def test_prv6_operator_access_expires_after_an_hour(org, conv, client):
    import datetime as dt

    from interact.accounts.models import User
    from interact.core import clock
    from interact.privacy import access_log

    staff = User.objects.create_user("admin@operator.test", "pw-123456789!", realm="operator",
                                     staff_role="operator_admin", first_name="Op", last_name="Admin")
    grant = access_log.open_operator_access(staff, org, "injunction", "Court order 2025/123 of Brussels")
    client.force_login(staff, backend="interact.accounts.backends.LockoutBackend")
    url = f"/operator/privacy/organisations/{org.pk}/conversations/{conv.pk}/"
    with clock.frozen(grant.expires_at + dt.timedelta(seconds=1)):
        assert client.get(url).status_code == 403


def test_prv6_client_users_never_reach_operator_pages(org, admin, login, conv):
    assert login(admin).get(f"/operator/privacy/organisations/{org.pk}/").status_code == 403
