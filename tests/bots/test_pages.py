"""Portal pages of chatbots (BOT-1) and the inbox's handover buttons (BOT-2)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _form(webchat, url="https://bot.example/hook", **extra):
    return {"name": "Helper", "channel": str(webchat.pk), "platform": "webhook", "endpoint_url": url,
            "timeout_seconds": "8", "is_enabled": "on", **extra}


def test_bot1_administrator_connects_a_bot_and_sees_the_credentials_once(login, admin, webchat):
    from interact.bots.models import Chatbot
    from interact.bots.services import hash_api_key

    client = login(admin)
    listing = client.get("/portal/bots/")
    assert listing.status_code == 200 and "Connect a chatbot" in listing.content.decode()
    form = client.get("/portal/bots/new/")
    assert f'value="{webchat.pk}"' in form.content.decode()

    created = client.post("/portal/bots/new/", _form(webchat))
    assert created.status_code == 201
    html = created.content.decode()
    bot = Chatbot.objects.get(channel=webchat)
    api_key = re.search(r'value="(ikb_[^"]+)"', html).group(1)
    assert hash_api_key(api_key) == bot.api_key_hash
    assert bot.secret in html

    # The edit page never shows them again, and the channel has no room for a second bot.
    edit = client.get(f"/portal/bots/{bot.pk}/").content.decode()
    assert api_key not in edit and bot.secret not in edit and bot.api_key_hint in edit
    assert f'value="{webchat.pk}"' not in client.get("/portal/bots/new/").content.decode()


def test_bot1_forms_validate(login, admin, webchat):
    client = login(admin)
    for data in (_form(webchat, url="ftp://bot.example/"), _form(webchat, timeout_seconds="0"),
                 _form(webchat, timeout_seconds="31"), _form(webchat, name=""), _form(webchat, channel="999")):
        response = client.post("/portal/bots/new/", data)
        assert response.status_code == 400, data


def test_bot1_edit_shows_the_last_error_rotate_and_disconnect(login, admin, connect_bot):
    from interact.bots import services
    from interact.bots.models import Chatbot

    bot = connect_bot()
    services.record_error(bot, "no answer within 5 s")
    client = login(admin)
    page = client.get(f"/portal/bots/{bot.pk}/").content.decode()
    assert "no answer within 5 s" in page and "data-bot-error" in page
    assert "no answer within 5 s" in client.get("/portal/bots/").content.decode()

    old_hash = bot.api_key_hash
    rotated = client.post(f"/portal/bots/{bot.pk}/api-key/")
    assert rotated.status_code == 200 and "ikb_" in rotated.content.decode()
    assert Chatbot.objects.get(pk=bot.pk).api_key_hash != old_hash
    assert client.post(f"/portal/bots/{bot.pk}/secret/").status_code == 200

    saved = client.post(f"/portal/bots/{bot.pk}/", _form(bot.channel, url=bot.endpoint_url, name="Renamed"))
    assert saved.status_code == 302 and Chatbot.objects.get(pk=bot.pk).name == "Renamed"
    assert client.get(f"/portal/bots/{bot.pk}/delete/").status_code == 200
    assert client.post(f"/portal/bots/{bot.pk}/delete/").status_code == 302
    assert not Chatbot.objects.filter(pk=bot.pk).exists()


def test_bot1_agents_and_other_plans_are_refused(login, agent, make_org):
    assert login(agent).get("/portal/bots/").status_code == 403
    pro = make_org(plan="pro")
    response = login(pro.users.get(org_profile="access_owner")).get("/portal/bots/new/")
    assert response.status_code == 403 and "#Interact Bot" in response.content.decode()


def test_bot2_inbox_lists_the_bots_conversations_then_pause_and_restart(login, agent, connect_bot, fake_bot, say,
                                                                        run_commits):
    from interact.conversations.models import Status

    connect_bot()
    fake_bot.webhook_reply("I am the bot")
    conversation = say("hello bot")
    client = login(agent)
    inbox = client.get("/portal/inbox/").content.decode()
    assert 'data-section="bot"' in inbox and f'data-id="{conversation.pk}"' in inbox

    pane = client.get(f"/portal/inbox/{conversation.pk}/").content.decode()
    assert "I am the bot" in pane and 'data-action="pause-bot"' in pane
    assert 'id="composer"' not in pane, "nobody writes next to the bot"

    with run_commits():
        paused = client.post(f"/portal/bots/handover/{conversation.pk}/pause/", HTTP_HX_REQUEST="true")
    html = paused.content.decode()
    assert paused.status_code == 200 and 'data-bot="paused"' in html and 'data-action="restart-bot"' in html
    assert 'id="composer"' in html
    conversation.refresh_from_db()
    assert conversation.status == Status.ACTIVE and conversation.assignee_id == agent.pk

    with run_commits():
        restarted = client.post(f"/portal/bots/handover/{conversation.pk}/restart/")
    assert restarted.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == Status.BOT
    assert 'data-bot="paused"' not in client.get(f"/portal/inbox/{conversation.pk}/").content.decode()


def test_bot2_analysts_and_other_plans_do_not_get_the_buttons(login, make_user, open_org, connect_bot, say):
    connect_bot()
    conversation = say("hello")
    analyst = make_user(open_org, "analyst")
    assert login(analyst).post(f"/portal/bots/handover/{conversation.pk}/pause/").status_code == 403
