"""Fixtures for conversations: a website chat channel, its visitors and a conversation factory."""

from __future__ import annotations

import itertools

import pytest

_seq = itertools.count(1)


@pytest.fixture
def webchat(org):
    from interact.connectors.models import Channel, ChannelKind

    return Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Site",
                                  away_message="We are closed; we answer tomorrow.")


@pytest.fixture
def make_visitor():
    from interact.connectors import webchat as connector

    def make(channel, language: str = "", **attributes):
        identity = connector.identify(channel)
        return connector.visitor_for(channel, identity, language=language, attributes=attributes)

    return make


@pytest.fixture
def say(make_visitor, webchat):
    """``say(body)`` stores a message from a new visitor (or ``visitor=``) and returns the result."""
    from interact.conversations import services

    def do(body: str = "Hello", *, visitor=None, channel=None, client_id=None):
        channel = channel or webchat
        visitor = visitor or make_visitor(channel)
        return services.receive_message(channel, visitor, body, client_id=client_id or f"c{next(_seq)}")

    return do
