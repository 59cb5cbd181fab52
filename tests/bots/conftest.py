"""Fixtures for chatbots: an always-open organisation on the Bot plan with a website chat, a
fake bot server, and ``say`` which stores a visitor message and runs what follows its commit
(forwarding to the bot, delivery) inline."""

from __future__ import annotations

import itertools

import pytest

from .fakes import FakeBot

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _bots_on_loopback(settings):
    """The fake bot listens on 127.0.0.1, which production refuses (SSRF guard)."""
    settings.BOTS_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def open_org(always_open):
    """The organisation, open all week (tests/conftest.py), so no away message interferes."""
    return always_open


@pytest.fixture
def webchat(webchat, open_org):
    """The shared website chat (tests/conftest.py), in an organisation open all week."""
    return webchat


@pytest.fixture
def visitor(webchat, make_visitor):
    return make_visitor(webchat, language="fr")


@pytest.fixture
def fake_bot():
    bot = FakeBot().start()
    yield bot
    bot.stop()


@pytest.fixture
def connect_bot(webchat, admin, fake_bot):
    """``connect_bot(platform="webhook", timeout=5)`` connects the fake bot to the website chat."""
    from interact.bots import services

    def connect(platform: str = "webhook", timeout: int = 5, channel=None, url: str | None = None):
        channel = channel or webchat
        created = services.connect(channel.organisation, services.BotData(
            channel_id=channel.pk, name="Helper", platform=platform, endpoint_url=url or fake_bot.url,
            timeout_seconds=timeout), admin)
        fake_bot.secret = created.secret
        created.bot.api_key = created.api_key
        return created.bot

    return connect


@pytest.fixture
def say(visitor, webchat, django_capture_on_commit_callbacks):
    """``say(body)`` from the visitor; the bot job and deliveries run before it returns."""
    from interact.conversations import services

    def do(body: str = "Hello", *, who=None, channel=None):
        with django_capture_on_commit_callbacks(execute=True):
            received = services.receive_message(channel or webchat, who or visitor, body,
                                                client_id=f"v{next(_seq)}")
        received.message.conversation.refresh_from_db()
        return received.message.conversation

    return do


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """``with run_commits(): ...`` runs the on-commit callbacks of what happens inside."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def agent(open_org, make_user):
    return make_user(open_org, "agent", first_name="Ada")
