"""Fixtures of the privacy centre: files under a temporary directory, a person seeded everywhere."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def privacy_dir(settings, tmp_path):
    settings.PRIVACY_DIR = tmp_path / "privacy"
    return settings.PRIVACY_DIR


@pytest.fixture
def webchat(org):
    from interact.connectors.models import Channel, ChannelKind

    return Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Site")


@pytest.fixture
def make_visitor(webchat):
    from interact.connectors import webchat as connector

    def make(channel=None, **profile):
        channel = channel or webchat
        visitor = connector.visitor_for(channel, connector.identify(channel))
        for name, value in profile.items():
            setattr(visitor, name, value)
        visitor.save()
        return visitor

    return make


@pytest.fixture
def say(webchat):
    from interact.conversations import services

    counter = iter(range(1, 10**9))

    def do(visitor, body: str):
        return services.receive_message(visitor.channel, visitor, body, client_id=f"p{next(counter)}").message

    return do


# The Facebook fixtures of the connectors' tests: a fake Graph server, a connected Page, signed deliveries.
from tests.connectors.conftest import comments, deliver, fb_page, graph, messenger  # noqa: E402, F401
