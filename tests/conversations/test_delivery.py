"""CNV-10, CHN-3: outbound deliveries are jobs that retry, then fail visibly; nothing is dropped."""

from __future__ import annotations

import pytest
from huey.exceptions import RetryTask

from interact.connectors.base import DeliveryFailed, connector_for
from interact.conversations import tasks
from interact.conversations.models import Delivery, Event, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_transport(monkeypatch):
    """The website chat connector, made to fail like an unreachable network would."""
    calls = []
    connector = connector_for("webchat")

    def deliver(message, *, retryable=True):
        calls.append(message.pk)
        raise DeliveryFailed("connection refused", retryable=retryable)

    monkeypatch.setattr(connector, "deliver", deliver, raising=False)
    return calls


def _pending_reply(say, org, make_user):
    from interact.conversations import services

    conv = say().message.conversation
    agent = make_user(org, "agent")
    services.take(conv, agent)
    return services.send_reply(conv, agent, "Here is your answer")  # on_commit not run: job not yet called


def test_cnv10_retryable_failures_retry_then_mark_the_message_failed(always_open, say, org, make_user,
                                                                     failing_transport):
    message = _pending_reply(say, org, make_user)
    delays = []
    for attempt in range(1, tasks.MAX_ATTEMPTS):
        with pytest.raises(RetryTask) as retry:
            tasks.deliver_message.call_local(message.pk)
        delays.append(retry.value.delay)
        message.refresh_from_db()
        assert message.delivery == Delivery.PENDING and message.delivery_attempts == attempt
    assert delays == sorted(delays) and delays[0] == 15 and delays[-1] > delays[0]  # backing off (CHN-3)
    tasks.deliver_message.call_local(message.pk)  # the last attempt does not raise: it records the failure
    message.refresh_from_db()
    assert message.delivery == Delivery.FAILED and message.delivery_error == "connection refused"
    assert Event.objects.filter(kind="message.delivery", payload__delivery="failed").count() == 1
    assert Message.objects.filter(pk=message.pk).exists()  # never dropped
    assert len(failing_transport) == tasks.MAX_ATTEMPTS


def test_chn3_a_permanent_refusal_fails_at_once(always_open, say, org, make_user, monkeypatch):
    connector = connector_for("webchat")

    def refuse(message):
        raise DeliveryFailed("token expired", retryable=False)

    monkeypatch.setattr(connector, "deliver", refuse, raising=False)
    message = _pending_reply(say, org, make_user)
    tasks.deliver_message.call_local(message.pk)
    message.refresh_from_db()
    assert message.delivery == Delivery.FAILED and message.delivery_attempts == 1


def test_cnv10_a_delivered_message_is_not_sent_twice(always_open, say, org, make_user, monkeypatch):
    sent = []
    connector = connector_for("webchat")
    monkeypatch.setattr(connector, "deliver", lambda message: sent.append(message.pk) or "ext-1", raising=False)
    message = _pending_reply(say, org, make_user)
    tasks.deliver_message.call_local(message.pk)
    tasks.deliver_message.call_local(message.pk)
    message.refresh_from_db()
    assert sent == [message.pk] and message.delivery == Delivery.SENT and message.external_id == "ext-1"


def test_cnv10_a_crashing_connector_counts_as_a_failure_not_a_message_stuck_sending(always_open, say, org, make_user,
                                                                                    monkeypatch):
    connector = connector_for("webchat")

    def crash(message):
        raise KeyError("bug")

    monkeypatch.setattr(connector, "deliver", crash, raising=False)
    message = _pending_reply(say, org, make_user)
    with pytest.raises(RetryTask):
        tasks.deliver_message.call_local(message.pk)
    message.refresh_from_db()
    assert message.delivery == Delivery.PENDING and message.delivery_attempts == 1
    assert "Internal error" in message.delivery_error
    for _ in range(tasks.MAX_ATTEMPTS - 2):
        with pytest.raises(RetryTask):
            tasks.deliver_message.call_local(message.pk)
    tasks.deliver_message.call_local(message.pk)
    message.refresh_from_db()
    assert message.delivery == Delivery.FAILED  # visible, with "Send again"
