"""CNV-1..7, CNV-10 through the REST API, per role."""

from __future__ import annotations

import json

import pytest

from interact.conversations.models import Delivery, Message, Status

pytestmark = pytest.mark.django_db


def _post(client, path, data=None, method="post"):
    return getattr(client, method)(path, data=json.dumps(data or {}), content_type="application/json")


def test_cnv1_agent_takes_replies_ends_and_archives_through_the_api(always_open, say, org, make_user, api_client,
                                                                    django_capture_on_commit_callbacks):
    from interact.admin_portal.models import Topic

    agent = make_user(org, "agent")
    api = api_client(agent)
    conv = say("My invoice is wrong").message.conversation
    inbox = api.get("/api/conversations").json()
    assert [c["id"] for c in inbox["queue"]] == [conv.pk]
    assert _post(api, f"/api/conversations/{conv.pk}/take").json()["status"] == "active"
    with django_capture_on_commit_callbacks(execute=True):
        sent = _post(api, f"/api/conversations/{conv.pk}/messages", {"body": "Let me check", "client_id": "r1"})
    assert sent.status_code == 201
    again = _post(api, f"/api/conversations/{conv.pk}/messages", {"body": "Let me check", "client_id": "r1"})
    assert again.json()["id"] == sent.json()["id"]
    messages = api.get(f"/api/conversations/{conv.pk}/messages").json()
    assert [m["body"] for m in messages] == ["My invoice is wrong", "Let me check"]
    assert messages[1]["delivery"] == "sent"
    assert _post(api, f"/api/conversations/{conv.pk}/archive", {"topics": [1]}).status_code in (400, 409)
    assert _post(api, f"/api/conversations/{conv.pk}/end").json()["status"] == "ended"
    topic = Topic.objects.create(organisation=org, name="Invoices")
    archived = _post(api, f"/api/conversations/{conv.pk}/archive", {"topics": [topic.pk]})
    assert archived.json()["status"] == "archived" and archived.json()["topics"] == [topic.pk]


def test_cnv10_oversized_and_empty_messages_get_422_with_a_code(always_open, say, org, make_user, api_client):
    agent = make_user(org, "agent")
    api = api_client(agent)
    conv = say().message.conversation
    for body in ("", "x" * 5001):
        response = _post(api, f"/api/conversations/{conv.pk}/messages", {"body": body})
        assert response.status_code == 422 and response.json()["error"]["code"]
    assert Message.objects.filter(conversation=conv).count() == 1


def test_analyst_cannot_reach_conversations(always_open, say, org, make_user, api_client):
    api = api_client(make_user(org, "analyst"))
    conv = say().message.conversation
    assert api.get("/api/conversations").status_code == 403
    assert api.get(f"/api/conversations/{conv.pk}/messages").status_code == 404
    assert _post(api, f"/api/conversations/{conv.pk}/take").status_code == 403
    assert api.get("/api/history").status_code == 403


def test_cnv3_assign_and_cnv4_skills_through_the_api(always_open, say, org, admin, make_user, api_client):
    from interact.admin_portal.models import GeneralSettings, Skill

    GeneralSettings.objects.filter(organisation=org).update(dispatch_enabled=True)
    target = make_user(org, "supervisor")
    api = api_client(admin)
    conv = say().message.conversation
    assigned = _post(api, f"/api/conversations/{conv.pk}/assign", {"assignee": target.pk}).json()
    assert assigned["status"] == "assigned" and assigned["assignee"] == target.pk
    skill = Skill.objects.create(organisation=org, name="Billing")
    routed = _post(api, f"/api/conversations/{conv.pk}/skills", {"skills": [skill.pk]}, method="put").json()
    assert routed["skills"] == [skill.pk]
    bad = _post(api, f"/api/conversations/{conv.pk}/assign", {"assignee": 999999})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_assignee"


def test_cnv5_visitor_profile_and_notes(always_open, say, org, make_user, api_client):
    agent = make_user(org, "agent")
    api = api_client(agent)
    visitor = say().message.conversation.visitor
    changed = _post(api, f"/api/visitors/{visitor.pk}", {"first_name": "Marie", "email": "marie@example.test"},
                    method="patch")
    assert changed.status_code == 200 and changed.json()["first_name"] == "Marie"
    bad = _post(api, f"/api/visitors/{visitor.pk}", {"email": "not-an-address"}, method="patch")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_email"
    future = _post(api, f"/api/visitors/{visitor.pk}", {"birth_date": "2999-01-01"}, method="patch")
    assert future.json()["error"]["code"] == "invalid_birth_date"
    assert _post(api, f"/api/visitors/{visitor.pk}/notes", {"body": "Prefers e-mail"}).status_code == 201
    assert [n["body"] for n in api.get(f"/api/visitors/{visitor.pk}/notes").json()] == ["Prefers e-mail"]
    assert len(api.get(f"/api/visitors/{visitor.pk}/conversations").json()) == 1


def test_cnv7_history_filters_and_full_text(always_open, say, org, admin, make_user, api_client, make_visitor,
                                           webchat):
    from interact.conversations import services

    api = api_client(admin)
    agent = make_user(org, "agent", first_name="Zoe", last_name="Durand")
    first = say("The parcel never arrived", visitor=make_visitor(webchat, language="fr")).message.conversation
    second = say("Question about my invoice", visitor=make_visitor(webchat, language="nl")).message.conversation
    services.take(first, agent)
    for conv in (first, second):
        services.end(conv, admin)
    assert api.get("/api/history").json()["count"] == 2
    assert [c["id"] for c in api.get("/api/history?text=parcel").json()["results"]] == [first.pk]
    assert [c["id"] for c in api.get("/api/history?language=nl").json()["results"]] == [second.pk]
    assert [c["id"] for c in api.get("/api/history?end_user=durand").json()["results"]] == [first.pk]
    assert api.get("/api/history?since=2999-01-01").json()["count"] == 0
    assert api.get("/api/history?since=not-a-date").status_code == 422


def test_cnv10_failed_delivery_is_visible_and_can_be_retried(always_open, say, org, make_user, api_client,
                                                             django_capture_on_commit_callbacks):
    agent = make_user(org, "agent")
    api = api_client(agent)
    conv = say().message.conversation
    message = _post(api, f"/api/conversations/{conv.pk}/messages", {"body": "Hello"}).json()
    Message.objects.filter(pk=message["id"]).update(delivery=Delivery.FAILED, delivery_error="unreachable")
    listed = api.get(f"/api/conversations/{conv.pk}/messages").json()[-1]
    assert listed["delivery"] == "failed" and listed["delivery_error"] == "unreachable"
    with django_capture_on_commit_callbacks(execute=True):
        retried = _post(api, f"/api/messages/{message['id']}/retry")
    assert retried.status_code == 200
    assert Message.objects.get(pk=message["id"]).delivery == Delivery.SENT
    assert _post(api, f"/api/messages/{message['id']}/retry").status_code == 409


def test_cnv9_events_endpoint_resumes_after_an_id(always_open, say, org, make_user, api_client):
    api = api_client(make_user(org, "agent"))
    say()
    events = api.get("/api/events").json()
    assert events and events[0]["kind"] == "conversation.queued"
    assert api.get(f"/api/events?after={events[-1]['id']}").json() == []
    assert Status.QUEUED == "queued"
