"""The chatbot API (BOT-1..3, TEN-2): administration, handover by end users, the bot's own API."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def _post(client, path, data=None, **headers):
    return client.post(path, data=json.dumps(data or {}), content_type="application/json", **headers)


def _put(client, path, data):
    return client.put(path, data=json.dumps(data), content_type="application/json")


def _bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# --- administration (BOT-1) ------------------------------------------------------------------------

def test_bot1_admin_connects_lists_updates_rotates_and_disconnects(api_client, admin, webchat, fake_bot):
    client = api_client(admin)
    payload = {"channel": webchat.pk, "name": "Helper", "platform": "webhook", "endpoint_url": fake_bot.url,
               "timeout_seconds": 5}
    created = _post(client, "/api/bots", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"] and body["api_key"].startswith("ikb_") and body["api_key_hint"] == body["api_key"][:8]
    bot_id = body["id"]

    listed = client.get("/api/bots").json()
    assert [b["id"] for b in listed] == [bot_id]
    assert "secret" not in listed[0] and "api_key" not in listed[0], "credentials are shown once"
    assert "secret" not in client.get(f"/api/bots/{bot_id}").json()

    updated = _put(client, f"/api/bots/{bot_id}", {**payload, "platform": "rasa", "timeout_seconds": 12})
    assert updated.status_code == 200 and updated.json()["platform"] == "rasa"

    # The bot's key works until it is rotated; the new one works at once.
    old_key = body["api_key"]
    from django.test import Client

    assert _post(Client(), "/api/bot/v1/messages", {"conversation": 0, "text": "x"}, **_bearer(old_key)).status_code \
        == 404
    rotated = _post(client, f"/api/bots/{bot_id}/api-key").json()["api_key"]
    assert _post(Client(), "/api/bot/v1/messages", {"conversation": 0, "text": "x"}, **_bearer(old_key)).status_code \
        == 401
    assert _post(Client(), "/api/bot/v1/messages", {"conversation": 0, "text": "x"}, **_bearer(rotated)).status_code \
        == 404
    assert _post(client, f"/api/bots/{bot_id}/secret").json()["secret"] != body["secret"]

    assert client.delete(f"/api/bots/{bot_id}").status_code == 204
    assert client.get("/api/bots").json() == []


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"endpoint_url": "ftp://bot.example/hook"}, 400, "invalid_endpoint_url"),
    ({"endpoint_url": "javascript:alert(1)"}, 400, "invalid_endpoint_url"),
    ({"timeout_seconds": 0}, 422, "validation_error"),
    ({"timeout_seconds": 31}, 422, "validation_error"),
    ({"platform": "dialogflow"}, 422, "validation_error"),
    ({"name": ""}, 422, "validation_error"),
    ({"channel": 999999}, 400, "invalid_channel"),
])
def test_bot1_invalid_settings_are_refused(api_client, admin, webchat, change, status, code):
    payload = {"channel": webchat.pk, "name": "Helper", "platform": "webhook",
               "endpoint_url": "https://bot.example/hook", "timeout_seconds": 5, **change}
    response = _post(api_client(admin), "/api/bots", payload)
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code


def test_bot1_only_channels_that_support_bots_and_one_bot_per_channel(api_client, admin, webchat, open_org):
    from interact.connectors.models import Channel

    client = api_client(admin)
    comments = Channel.objects.create(organisation=open_org, kind="page_comments", name="Comments")
    payload = {"name": "Helper", "platform": "webhook", "endpoint_url": "https://bot.example/hook"}
    refused = _post(client, "/api/bots", {**payload, "channel": comments.pk})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "channel_without_bots"
    assert _post(client, "/api/bots", {**payload, "channel": webchat.pk}).status_code == 201
    second = _post(client, "/api/bots", {**payload, "channel": webchat.pk})
    assert second.status_code == 409 and second.json()["error"]["code"] == "channel_has_bot"


def test_bot1_private_addresses_are_refused_in_production(api_client, admin, webchat, settings):
    settings.BOTS_ALLOW_PRIVATE_NETWORKS = False
    for url in ("http://127.0.0.1:5005/webhook", "http://10.1.2.3/hook", "http://[::1]/hook",
                "http://169.254.169.254/latest"):
        response = _post(api_client(admin), "/api/bots", {"channel": webchat.pk, "name": "x", "platform": "rasa",
                                                          "endpoint_url": url})
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_endpoint_url", url


def test_bot1_only_administrators_manage_bots(api_client, agent, make_user, open_org):
    for user in (agent, make_user(open_org, "supervisor")):
        assert api_client(user).get("/api/bots").status_code == 403


def test_ten2_other_plans_get_plan_required(make_org, api_client, client, make_user):
    """TEN-2: the chatbot is a Bot-plan feature, on pages and in the API alike."""
    pro = make_org(plan="pro")
    admin = pro.users.get(org_profile="access_owner")
    api = api_client(admin)
    for method, path in (("get", "/api/bots"), ("post", "/api/bots"), ("get", "/api/visitors/1/bot"),
                         ("post", "/api/conversations/1/bot/pause"), ("post", "/api/visitors/1/bot/restart")):
        body = json.dumps({"channel": 1, "name": "x", "platform": "rasa", "endpoint_url": "https://b.example/"})
        response = getattr(api, method)(path, **({"data": body, "content_type": "application/json"}
                                                 if method == "post" else {}))
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "plan_required", path
        assert response.json()["error"]["required_plans"] == ["bot"]
    client.force_login(admin, backend="interact.accounts.backends.LockoutBackend")
    page = client.get("/portal/bots/")
    assert page.status_code == 403
    assert "#Interact Bot" in page.content.decode()


def test_ten2_a_downgraded_organisations_bot_key_is_refused(connect_bot, open_org, client):
    from interact.accounts.models import Organisation

    bot = connect_bot()
    Organisation.objects.filter(pk=open_org.pk).update(plan="hub")
    response = _post(client, "/api/bot/v1/messages", {"conversation": 1, "text": "hi"}, **_bearer(bot.api_key))
    assert response.status_code == 403 and response.json()["error"]["code"] == "plan_required"


# --- handover by end users (BOT-2) -----------------------------------------------------------------

def test_bot2_agent_pauses_and_restarts_through_the_api(connect_bot, fake_bot, say, visitor, agent, api_client):
    connect_bot()
    fake_bot.webhook_reply("Hi")
    conversation = say("hello")
    client = api_client(agent)
    state = client.get(f"/api/visitors/{visitor.pk}/bot").json()
    assert state["active"] is True and state["paused"] is False and state["conversation_status"] == "bot"

    paused = _post(client, f"/api/conversations/{conversation.pk}/bot/pause")
    assert paused.status_code == 200, paused.content
    assert paused.json()["paused"] is True and paused.json()["reason"] == "end_user"
    assert paused.json()["conversation_status"] == "active" and paused.json()["paused_by"] == agent.pk

    restarted = _post(client, f"/api/visitors/{visitor.pk}/bot/restart")
    assert restarted.status_code == 200
    assert restarted.json()["active"] is True and restarted.json()["conversation_status"] == "bot"


def test_bot2_restart_of_someone_elses_conversation_is_refused(connect_bot, fake_bot, say, visitor, agent,
                                                              make_user, open_org, api_client):
    from interact.bots import services

    connect_bot()
    conversation = say("hello")
    services.pause(conversation, agent)
    other = make_user(open_org, "agent")
    response = _post(api_client(other), f"/api/visitors/{visitor.pk}/bot/restart")
    assert response.status_code in (403, 404)


def test_bot2_analysts_cannot_pause(connect_bot, say, make_user, open_org, api_client):
    connect_bot()
    conversation = say("hello")
    analyst = make_user(open_org, "analyst")
    assert _post(api_client(analyst), f"/api/conversations/{conversation.pk}/bot/pause").status_code == 403


# --- the bot's own API (BOT-3) ---------------------------------------------------------------------

def test_bot3_bot_answers_later_and_hands_over_through_its_api(connect_bot, fake_bot, say, open_org, client,
                                                               run_commits):
    from interact.admin_portal.models import Skill
    from interact.conversations.models import SenderKind, Status

    skill = Skill.objects.create(organisation=open_org, name="Billing")
    bot = connect_bot()
    fake_bot.answer(status=202)  # "I will answer later"
    conversation = say("hello")
    assert conversation.status == Status.BOT and not conversation.messages.filter(sender=SenderKind.BOT).exists()

    with run_commits():
        answered = _post(client, "/api/bot/v1/messages", {"conversation": conversation.pk, "text": "Later answer",
                                                          "buttons": [{"title": "Yes"}]}, **_bearer(bot.api_key))
    assert answered.status_code == 201, answered.content
    message = conversation.messages.get(sender=SenderKind.BOT)
    assert message.body == "Later answer" and message.meta == {"buttons": [{"title": "Yes", "payload": ""}]}

    with run_commits():
        handed = _post(client, "/api/bot/v1/handover", {"conversation": conversation.pk, "skill": "BILLING"},
                       **_bearer(bot.api_key))
    assert handed.status_code == 200 and handed.json() == {"conversation": conversation.pk, "status": "queued",
                                                           "skills": [skill.pk]}

    # After the handover the bot is paused: a late answer must not reach the visitor.
    late = _post(client, "/api/bot/v1/messages", {"conversation": conversation.pk, "text": "too late"},
                 **_bearer(bot.api_key))
    assert late.status_code == 409 and late.json()["error"]["code"] == "bot_paused"
    assert conversation.messages.filter(sender=SenderKind.BOT).count() == 1


def test_bot3_late_answer_after_an_agent_paused_is_409(connect_bot, say, agent, client):
    from interact.bots import services

    bot = connect_bot()
    conversation = say("hello")
    services.pause(conversation, agent)
    response = _post(client, "/api/bot/v1/messages", {"conversation": conversation.pk, "text": "hi"},
                     **_bearer(bot.api_key))
    assert response.status_code == 409 and response.json()["error"]["code"] == "bot_paused"


@pytest.mark.parametrize("key", ["", "ikb_wrong", "ik_abc_def", "Bearer", "x" * 500])
def test_bot3_wrong_key_is_401(connect_bot, say, client, key):
    connect_bot()
    conversation = say("hello")
    response = _post(client, "/api/bot/v1/messages", {"conversation": conversation.pk, "text": "hi"},
                     HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert _post(client, "/api/bot/v1/handover", {"conversation": conversation.pk}).status_code == 401


def test_bot3_ten_another_organisations_conversation_is_404(connect_bot, say, make_org, make_user, client, admin):
    """A bot reaches only conversations of its own channel: another organisation's, or another
    channel's of the same organisation, do not exist for it."""
    from interact.bots import services
    from interact.connectors import webchat as connector
    from interact.connectors.models import Channel
    from interact.conversations import services as conversations

    bot = connect_bot()
    other_org = make_org(name="B")
    other_channel = Channel.objects.create(organisation=other_org, kind="webchat", name="B site")
    other_bot = services.connect(other_org, services.BotData(other_channel.pk, "B bot", "webhook",
                                                             "https://b.example/hook"), None)
    theirs = conversations.receive_message(other_channel, connector.visitor_for(
        other_channel, connector.identify(other_channel)), "secret of B").message.conversation
    second_channel = Channel.objects.create(organisation=admin.organisation, kind="webchat", name="Second")
    same_org_other_channel = conversations.receive_message(second_channel, connector.visitor_for(
        second_channel, connector.identify(second_channel)), "hi").message.conversation
    for conversation in (theirs, same_org_other_channel):
        for path in ("/api/bot/v1/messages", "/api/bot/v1/handover"):
            response = _post(client, path, {"conversation": conversation.pk, "text": "hi"}, **_bearer(bot.api_key))
            assert response.status_code == 404, (path, response.content)
    assert other_bot.api_key != bot.api_key


def test_bot3_bot_api_validates_input(connect_bot, say, client):
    bot = connect_bot()
    conversation = say("hello")
    for data in ({"conversation": conversation.pk, "text": ""}, {"conversation": conversation.pk, "text": "x" * 5001},
                 {"conversation": "abc", "text": "x"}, {"text": "x"},
                 {"conversation": conversation.pk, "text": "x", "buttons": [{"title": ""}]}):
        response = _post(client, "/api/bot/v1/messages", data, **_bearer(bot.api_key))
        assert response.status_code == 422, data
    blank = _post(client, "/api/bot/v1/messages", {"conversation": conversation.pk, "text": "   "},
                  **_bearer(bot.api_key))
    assert blank.status_code == 400


def test_bot3_bot_api_needs_no_csrf_and_ignores_sessions(connect_bot, say, admin, client):
    """The bot's routes use its key only: a signed-in portal session is not a bot."""
    from django.test import Client

    connect_bot()
    conversation = say("hello")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin, backend="interact.accounts.backends.LockoutBackend")
    response = _post(browser, "/api/bot/v1/messages", {"conversation": conversation.pk, "text": "hi"})
    assert response.status_code == 401
