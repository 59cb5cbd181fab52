"""Fixtures for conversations: a conversation factory (the website chat and its visitors are in tests/conftest.py)."""

from __future__ import annotations

import itertools

import pytest

_seq = itertools.count(1)


@pytest.fixture
def say(make_visitor, webchat):
    """``say(body)`` stores a message from a new visitor (or ``visitor=``) and returns the result."""
    from interact.conversations import services

    def do(body: str = "Hello", *, visitor=None, channel=None, client_id=None):
        channel = channel or webchat
        visitor = visitor or make_visitor(channel)
        return services.receive_message(channel, visitor, body, client_id=client_id or f"c{next(_seq)}")

    return do
