"""BOT-2: people join a bot's conversation only by pausing the bot. Taking it or replying through
the API pauses the bot like the inbox button; assigning, re-skilling or releasing it is refused
with a clear 409 until someone pauses the bot."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_bot(connect_bot, fake_bot, say):
    connect_bot("webhook")
    fake_bot.webhook_reply("Hello, I am the assistant.")
    return say("Hi")


def test_bot2_taking_a_bots_conversation_pauses_the_bot(with_bot, agent, fake_bot, say):
    from interact.bots.models import BotPause, PauseReason
    from interact.conversations import services
    from interact.conversations.models import Status

    conversation = services.take(with_bot, agent)
    assert conversation.status == Status.ACTIVE and conversation.assignee == agent
    assert BotPause.objects.get(visitor=conversation.visitor).reason == PauseReason.END_USER
    calls = len(fake_bot.requests)
    say("Are you a person?")
    assert len(fake_bot.requests) == calls  # the bot hears nothing while paused


def test_bot2_an_api_reply_to_a_bots_conversation_pauses_the_bot_first(with_bot, agent, api_client):
    from interact.bots.models import BotPause

    answer = api_client(agent).post(f"/api/conversations/{with_bot.pk}/messages", {"body": "A person here."},
                                    content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert BotPause.objects.filter(visitor=with_bot.visitor).exists()
    with_bot.refresh_from_db()
    assert with_bot.assignee == agent


@pytest.mark.parametrize("action", ["assign", "skills", "release"])
def test_bot2_assign_skills_release_need_the_bot_paused_first(with_bot, agent, admin, open_org, action):
    from interact.admin_portal.models import Skill
    from interact.conversations import services
    from interact.core.errors import Conflict

    calls = {
        "assign": lambda: services.assign(with_bot, agent, admin),
        "skills": lambda: services.set_skills(with_bot, [Skill.objects.create(organisation=open_org, name="S")], admin),
        "release": lambda: services.release(with_bot, admin),
    }
    with pytest.raises(Conflict) as refused:
        calls[action]()
    assert refused.value.code == "with_bot"


def test_bot2_the_api_inbox_lists_the_bots_conversations(with_bot, agent, api_client):
    inbox = api_client(agent).get("/api/conversations").json()
    assert [c["id"] for c in inbox["bot"]] == [with_bot.pk] and inbox["queue"] == []
