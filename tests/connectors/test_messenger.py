"""CHN-2, CHN-3: Messenger in and out, against a fake Graph server that answers as Meta documents."""

from __future__ import annotations

import datetime as dt

import pytest
from huey.exceptions import RetryTask

from interact.connectors.models import Channel
from interact.conversations import services, tasks
from interact.conversations.models import Conversation, Delivery, Message, SenderKind

from .conftest import PAGE_ID, now_ms, page_body, text_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(deliver, always_open, graph):
    graph.profiles["3001"] = {"first_name": "Lotte", "last_name": "Janssens"}
    deliver(page_body(messaging=[text_event("3001", "Hallo, is mijn bestelling onderweg?", mid="m_q")]))
    return Conversation.objects.get()


def _reply(conversation, make_user, org, body="Ja, ze komt morgen.", django_capture=None):
    agent = make_user(org, "agent")
    services.take(conversation, agent)
    return services.send_reply(conversation, agent, body)


def test_chn2_a_visitor_is_named_from_the_user_profile_api(conversation):
    assert conversation.visitor.display_name == "Lotte Janssens"
    assert conversation.channel.kind == "messenger"


def test_chn2_attachments_quick_replies_and_postbacks_are_kept(deliver):
    deliver(page_body(messaging=[
        {"sender": {"id": "3002"}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms(),
         "message": {"mid": "m_img", "attachments": [{"type": "image",
                                                      "payload": {"url": "https://scontent.xx.fbcdn.net/a.jpg"}}]}},
        text_event("3002", "Livraison", mid="m_qr", quick_reply={"payload": "DELIVERY"}),
        {"sender": {"id": "3002"}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms(),
         "postback": {"title": "Get Started", "payload": "GET_STARTED", "mid": "m_pb"}},
        {"sender": {"id": "3002"}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms(),
         "read": {"watermark": now_ms()}},
    ]))
    image = Message.objects.get(external_id="m_img")
    assert "[image] https://scontent.xx.fbcdn.net/a.jpg" in image.body
    assert image.meta["attachments"] == [{"type": "image", "url": "https://scontent.xx.fbcdn.net/a.jpg"}]
    assert Message.objects.get(external_id="m_qr").meta["quick_reply"] == "DELIVERY"
    postback = Message.objects.get(external_id="m_pb")
    assert postback.body == "Get Started" and postback.meta["postback"] == "GET_STARTED"
    assert Message.objects.count() == 3  # the read receipt is not a message


def test_chn2_a_reply_goes_out_through_the_send_api_inside_the_window(conversation, graph, make_user, org,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = _reply(conversation, make_user, org)
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT and reply.external_id.startswith("m_sent")
    call = graph.sent(f"{PAGE_ID}/messages")[-1]
    assert call.body["recipient"] == {"id": "3001"} and call.body["messaging_type"] == "RESPONSE"
    assert call.body["message"]["text"] == "Ja, ze komt morgen."
    assert call.query["access_token"]  # the decrypted token is what Meta receives


def test_chn2_the_echo_of_our_own_reply_is_not_stored_twice(conversation, deliver, graph, make_user, org,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = _reply(conversation, make_user, org)
    reply.refresh_from_db()
    echo = {"sender": {"id": PAGE_ID}, "recipient": {"id": "3001"}, "timestamp": now_ms(),
            "message": {"mid": reply.external_id, "is_echo": True, "app_id": 1517,
                        "metadata": f"interact:{reply.pk}", "text": reply.body}}
    deliver(page_body(messaging=[echo]))
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_chn2_a_message_sent_from_facebooks_own_inbox_joins_the_conversation(conversation, deliver):
    echo = {"sender": {"id": PAGE_ID}, "recipient": {"id": "3001"}, "timestamp": now_ms(),
            "message": {"mid": "m_from_fb", "is_echo": True, "app_id": 263902037430900, "text": "Sent on Facebook"}}
    deliver(page_body(messaging=[echo]))
    deliver(page_body(messaging=[echo]))
    stored = Message.objects.get(external_id="m_from_fb")
    assert stored.sender == SenderKind.AGENT and stored.meta["source"] == "facebook"
    assert stored.conversation == conversation


def test_chn2_after_24_hours_the_human_agent_tag_is_used_and_after_7_days_nothing_is_sent(
        conversation, graph, make_user, org, django_capture_on_commit_callbacks):
    Message.objects.filter(external_id="m_q").update(created_at=Message.objects.get(external_id="m_q").created_at
                                                     - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        late = _reply(conversation, make_user, org, "Sorry for the wait")
    late.refresh_from_db()
    assert late.delivery == Delivery.SENT
    call = graph.sent(f"{PAGE_ID}/messages")[-1].body
    assert call["messaging_type"] == "MESSAGE_TAG" and call["tag"] == "HUMAN_AGENT"
    Message.objects.filter(external_id="m_q").update(created_at=late.created_at - dt.timedelta(days=8))
    before = len(graph.calls)
    with django_capture_on_commit_callbacks(execute=True):
        too_late = services.send_reply(conversation, late.author, "Anyone there?")
    too_late.refresh_from_db()
    assert too_late.delivery == Delivery.FAILED and "7 days" in too_late.delivery_error
    assert len(graph.calls) == before  # not even tried


def test_chn3_rate_limiting_is_retried_with_backoff_then_delivered(conversation, graph, make_user, org,
                                                                   django_capture_on_commit_callbacks):
    reply = _reply(conversation, make_user, org)  # the job not run yet
    graph.fail_next("rate_limited", "rate_limited")
    for _ in range(2):
        with pytest.raises(RetryTask):
            tasks.deliver_message.call_local(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery == Delivery.PENDING and "limiting" in reply.delivery_error
    tasks.deliver_message.call_local(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT and reply.delivery_attempts == 3


def test_chn3_meta_unreachable_shows_on_the_channel_until_a_send_succeeds(conversation, graph, make_user, org):
    reply = _reply(conversation, make_user, org)
    graph.fail_next("outage")
    with pytest.raises(RetryTask):
        tasks.deliver_message.call_local(reply.pk)
    channel = Channel.objects.get(pk=conversation.channel_id)
    assert "could not be reached" in channel.last_error and channel.last_error_at
    tasks.deliver_message.call_local(reply.pk)
    channel.refresh_from_db()
    assert channel.last_error == "" and Message.objects.get(pk=reply.pk).delivery == Delivery.SENT


def test_chn3_an_expired_token_fails_the_message_visibly_and_flags_the_channel(conversation, graph, make_user,
                                                                               org):
    reply = _reply(conversation, make_user, org)
    graph.fail_next("token_expired")
    tasks.deliver_message.call_local(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery == Delivery.FAILED and "Reconnect the Facebook Page" in reply.delivery_error
    assert "expired" in Channel.objects.get(pk=conversation.channel_id).last_error
    # Never dropped: after reconnecting, the end user sends it again.
    services.retry_delivery(reply, reply.author)
    tasks.deliver_message.call_local(reply.pk)
    assert Message.objects.get(pk=reply.pk).delivery == Delivery.SENT


@pytest.mark.parametrize("failure, words", [("outside_window", "messaging window"),
                                            ("unavailable", "cannot receive")])
def test_chn3_permanent_refusals_fail_at_once_with_the_reason(conversation, graph, make_user, org, failure, words):
    reply = _reply(conversation, make_user, org)
    graph.fail_next(failure)
    tasks.deliver_message.call_local(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery == Delivery.FAILED and reply.delivery_attempts == 1 and words in reply.delivery_error


def test_chn2_long_replies_are_split_to_messengers_limit(conversation, graph, make_user, org,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = _reply(conversation, make_user, org, "x" * 4500)
    reply.refresh_from_db()
    parts = [c.body["message"]["text"] for c in graph.sent(f"{PAGE_ID}/messages")]
    assert [len(p) for p in parts] == [2000, 2000, 500] and reply.delivery == Delivery.SENT


def test_chn2_the_page_access_token_never_reaches_the_logs(conversation, graph, make_user, org, caplog,
                                                           django_capture_on_commit_callbacks):
    import logging

    from .conftest import TOKEN

    caplog.set_level(logging.DEBUG)
    graph.fail_next("outage")
    with django_capture_on_commit_callbacks(execute=True):
        _reply(conversation, make_user, org)
    assert graph.calls and TOKEN in graph.calls[-1].query["access_token"]
    assert TOKEN not in caplog.text


def test_chn2_only_web_addresses_are_kept_for_links(deliver):
    deliver(page_body(messaging=[
        {"sender": {"id": "3003"}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms(),
         "message": {"mid": "m_js", "attachments": [{"type": "file", "payload": {"url": "javascript:alert(1)"}},
                                                    {"type": "image", "payload": {"url": "https://x.test/i.png"}}]}}]))
    links = [a["url"] for a in Message.objects.get(external_id="m_js").meta["attachments"]]
    assert links == ["", "https://x.test/i.png"]
