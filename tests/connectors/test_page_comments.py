"""CHN-2: Page comments — new comments, replies, edits and removals become the commenter's
conversation; replies go back under their comment; order and idempotency hold."""

from __future__ import annotations

import time

import pytest

from interact.conversations import services
from interact.conversations.models import Conversation, Delivery, Event, Message, SenderKind

from .conftest import PAGE_ID, comment_change, page_body

pytestmark = pytest.mark.django_db


def test_chn2_a_comment_opens_a_conversation_with_the_commenter(deliver, comments, always_open):
    deliver(page_body(changes=[comment_change("4001", "Jullie croissants zijn top!", comment_id="555_1")]))
    message = Message.objects.get(external_id="555_1")
    conversation = message.conversation
    assert conversation.channel == comments and conversation.visitor.display_name == "Jan Peeters"
    assert message.meta["post_id"] == f"{PAGE_ID}_555" and message.sender == SenderKind.VISITOR


def test_chn2_replies_edits_and_removals(deliver, always_open):
    deliver(page_body(changes=[comment_change("4001", "Open on Sunday?", comment_id="555_1")]))
    deliver(page_body(changes=[comment_change("4001", "At the Brussels shop", comment_id="555_2",
                                              parent_id="555_1")]))
    deliver(page_body(changes=[comment_change("4001", "Open on Sunday morning?", comment_id="555_1",
                                              verb="edited")]))
    edited = Message.objects.get(external_id="555_1")
    assert edited.body == "Open on Sunday morning?" and edited.edited_at is not None
    deliver(page_body(changes=[comment_change("4001", "", comment_id="555_2", verb="remove")]))
    removed = Message.objects.get(external_id="555_2")
    assert removed.body == "" and removed.removed_at is not None
    assert Conversation.objects.count() == 1 and Message.objects.count() == 2
    kinds = list(Event.objects.filter(kind="message.updated").values_list("payload__removed", flat=True))
    assert kinds == [False, True]


def test_chn2_a_removal_that_overtakes_its_comment_keeps_it_removed(deliver, always_open):
    deliver(page_body(changes=[comment_change("4001", "", comment_id="555_9", verb="remove")]))
    deliver(page_body(changes=[comment_change("4001", "Something I regret", comment_id="555_9")]))
    message = Message.objects.get(external_id="555_9")
    assert message.removed_at is not None and "regret" not in message.body


def test_chn2_posts_reactions_and_likes_are_not_messages(deliver):
    deliver(page_body(changes=[
        {"field": "feed", "value": {"item": "reaction", "verb": "add", "reaction_type": "like",
                                    "from": {"id": "4001", "name": "Jan"}, "post_id": f"{PAGE_ID}_555"}},
        {"field": "feed", "value": {"item": "status", "verb": "add", "message": "New opening hours",
                                    "from": {"id": PAGE_ID, "name": "Page"}, "post_id": f"{PAGE_ID}_556"}},
    ]))
    assert not Message.objects.exists()


def test_chn2_a_reply_is_posted_under_the_latest_comment_and_its_echo_is_not_stored_twice(
        deliver, graph, org, make_user, always_open, django_capture_on_commit_callbacks):
    deliver(page_body(changes=[comment_change("4001", "First", comment_id="555_1")]))
    deliver(page_body(changes=[comment_change("4001", "Second", comment_id="555_3", parent_id="555_1")]))
    conversation = Conversation.objects.get()
    agent = make_user(org, "agent")
    services.take(conversation, agent)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.send_reply(conversation, agent, "Yes, from 8 to 12!")
    reply.refresh_from_db()
    call = graph.sent("/comments")[-1]
    assert call.path.endswith("/555_3/comments") and call.body == {"message": "Yes, from 8 to 12!"}
    assert reply.delivery == Delivery.SENT and reply.external_id
    page_echo = comment_change(PAGE_ID, "Yes, from 8 to 12!", comment_id=reply.external_id, parent_id="555_3",
                               name="Boulangerie Dupont")
    deliver(page_body(changes=[page_echo]))
    assert Message.objects.filter(conversation=conversation).count() == 3


def test_chn2_a_page_reply_arriving_before_our_delivery_is_recorded_links_to_it(
        deliver, org, make_user, always_open):
    deliver(page_body(changes=[comment_change("4001", "Hello", comment_id="555_1")]))
    conversation = Conversation.objects.get()
    agent = make_user(org, "agent")
    services.take(conversation, agent)
    reply = services.send_reply(conversation, agent, "Hi there")  # delivery job not run yet
    deliver(page_body(changes=[comment_change(PAGE_ID, "Hi there", comment_id="555_77", parent_id="555_1",
                                              created=int(time.time()))]))
    reply.refresh_from_db()
    assert reply.external_id == "555_77" and Message.objects.filter(conversation=conversation).count() == 2


def test_chn2_a_reply_written_on_facebook_joins_the_conversation(deliver, always_open):
    deliver(page_body(changes=[comment_change("4001", "Hello", comment_id="555_1")]))
    deliver(page_body(changes=[comment_change(PAGE_ID, "Answered on Facebook", comment_id="555_8",
                                              parent_id="555_1")]))
    stored = Message.objects.get(external_id="555_8")
    assert stored.sender == SenderKind.AGENT and stored.meta["source"] == "facebook"


def test_chn2_the_same_comment_five_times_is_one_message(deliver, always_open):
    body = page_body(changes=[comment_change("4001", "Once", comment_id="555_5")])
    for _ in range(5):
        deliver(body)
    assert Message.objects.filter(external_id="555_5").count() == 1


def test_chn2_an_8000_character_comment_is_kept_not_refused(deliver, always_open):
    deliver(page_body(changes=[comment_change("4001", "a" * 8000, comment_id="555_6")]))
    message = Message.objects.get(external_id="555_6")
    assert len(message.body) == 5000 and message.meta["truncated_from"] == 8000
