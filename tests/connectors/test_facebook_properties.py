"""CHN-2, CNV-10 as properties: whatever order and however many times Meta delivers events, each
message is stored once and the conversation reads in the order people wrote; and the messaging
window and retry backoff follow their rules at every boundary."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interact.connectors import messenger, tasks
from interact.conversations import tasks as conversation_tasks
from interact.conversations.models import Conversation, Message

from .conftest import now_ms, page_body, text_event

pytestmark = pytest.mark.django_db


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), count=st.integers(min_value=1, max_value=6))
def test_cnv10_any_order_any_repeats_one_copy_in_written_order(deliver, always_open, data, count):
    Message.objects.all().delete()
    Conversation.objects.all().delete()
    base = now_ms() - 3_600_000
    events = [text_event("6001", f"message {i}", mid=f"m_p{i}", ts=base + i * 1000) for i in range(count)]
    deliveries = data.draw(st.lists(st.sampled_from(events), min_size=count, max_size=count * 3))
    deliveries += events  # every event arrives at least once
    order = data.draw(st.permutations(deliveries))
    batch = data.draw(st.integers(min_value=1, max_value=3))
    for start in range(0, len(order), batch):
        assert deliver(page_body(messaging=list(order[start:start + batch]))).status == 200
    stored = list(Message.objects.order_by("created_at", "id").values_list("external_id", flat=True))
    assert stored == [f"m_p{i}" for i in range(count)]
    assert Conversation.objects.count() == 1


@given(hours=st.floats(min_value=0, max_value=24 * 10, allow_nan=False))
def test_chn2_the_messaging_window_rule_at_every_age(hours):
    age = dt.timedelta(hours=hours)
    if age <= messenger.STANDARD_WINDOW:
        expected = "RESPONSE"
    elif age <= messenger.HUMAN_AGENT_WINDOW:
        expected = "MESSAGE_TAG"
    else:
        expected = None
    assert messenger.messaging_type_for(age) == expected


@given(attempt=st.integers(min_value=1, max_value=50))
def test_chn3_backoff_grows_and_is_capped(attempt):
    for backoff, cap in ((tasks.backoff_seconds, 900), (conversation_tasks.backoff_seconds, 600)):
        assert 15 <= backoff(attempt) <= cap
        assert backoff(attempt + 1) >= backoff(attempt)
