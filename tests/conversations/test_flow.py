"""CNV-1, CNV-3, CNV-6, CNV-8, CNV-10: the life of a conversation through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from interact.conversations import services
from interact.conversations.models import Conversation, Delivery, Message, SenderKind, Status
from interact.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_cnv1_first_message_opens_a_queued_conversation_and_later_ones_join_it(always_open, say, make_visitor,
                                                                               webchat):
    visitor = make_visitor(webchat, language="nl")
    first = say("Hallo", visitor=visitor)
    second = say("Is er iemand?", visitor=visitor)
    conv = first.message.conversation
    assert first.created and second.created
    assert second.message.conversation_id == conv.pk
    conv.refresh_from_db()
    assert conv.status == Status.QUEUED and conv.language == "nl" and conv.message_count == 2


def test_cnv10_same_client_id_is_stored_once(always_open, say, make_visitor, webchat):
    visitor = make_visitor(webchat)
    a = say("Hello", visitor=visitor, client_id="abc")
    b = say("Hello", visitor=visitor, client_id="abc")
    assert a.created and not b.created and a.message.pk == b.message.pk
    assert Message.objects.filter(client_id="abc").count() == 1


def test_cnv10_database_refuses_a_duplicate_external_id(always_open, say, webchat):
    message = say("Hi").message
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(organisation=message.organisation, channel=webchat, conversation=message.conversation,
                               sender=SenderKind.VISITOR, body="x", external_id="m1", created_at=message.created_at)
        Message.objects.create(organisation=message.organisation, channel=webchat, conversation=message.conversation,
                               sender=SenderKind.VISITOR, body="x", external_id="m1", created_at=message.created_at)


def test_database_allows_one_open_conversation_per_visitor(always_open, say):
    conv = say("Hi").message.conversation
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(organisation=conv.organisation, channel=conv.channel, visitor=conv.visitor,
                                    created_at=conv.created_at, queued_at=conv.queued_at,
                                    last_message_at=conv.created_at)


@pytest.mark.parametrize("body,code", [("", "empty_message"), ("   ", "empty_message"),
                                       ("x" * 5001, "message_too_long"), (None, "empty_message"),
                                       (42, "empty_message")])
def test_bad_messages_are_refused_with_a_code(always_open, say, body, code):
    with pytest.raises(ServiceError) as refused:
        say(body)
    assert refused.value.code == code
    assert Message.objects.count() == 0


def test_cnv1_cnv6_take_reply_end_archive(always_open, say, admin, make_user, django_capture_on_commit_callbacks):
    from interact.admin_portal.models import Topic

    conv = say("I need help").message.conversation
    agent = make_user(admin.organisation, "agent")
    services.take(conv, agent)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.send_reply(conv, agent, "How can I help?")
    conv.refresh_from_db()
    reply.refresh_from_db()
    assert conv.status == Status.ACTIVE and conv.assignee == agent and conv.first_response_at
    assert reply.sender == SenderKind.AGENT and reply.delivery == Delivery.SENT  # huey immediate in tests
    with pytest.raises(ServiceError) as refused:
        services.archive(conv, [], agent)
    assert refused.value.code == "topic_required"
    services.end(conv, agent)
    topic = Topic.objects.create(organisation=admin.organisation, name="Billing")
    services.archive(conv, [topic], agent)
    conv.refresh_from_db()
    assert conv.status == Status.ARCHIVED and list(conv.topics.all()) == [topic]


def test_cnv1_a_conversation_taken_by_one_cannot_be_taken_by_another(always_open, say, admin, make_user):
    conv = say().message.conversation
    first, second = make_user(admin.organisation), make_user(admin.organisation)
    services.take(conv, first)
    with pytest.raises(ServiceError) as refused:
        services.take(conv, second)
    assert refused.value.code == "already_taken"


def test_cnv3_assign_moves_it_to_that_persons_queue(always_open, say, admin, make_user):
    conv = say().message.conversation
    target = make_user(admin.organisation, "supervisor")
    services.assign(conv, target, admin)
    conv.refresh_from_db()
    assert conv.status == Status.ASSIGNED and conv.assignee == target
    with pytest.raises(ServiceError):
        services.take(conv, make_user(admin.organisation))
    services.take(conv, target)


def test_cnv3_cannot_assign_to_an_analyst_or_another_organisation(always_open, say, admin, make_user, other_org):
    conv = say().message.conversation
    for target in (make_user(admin.organisation, "analyst"), make_user(other_org, "agent")):
        with pytest.raises(ServiceError) as refused:
            services.assign(conv, target, admin)
        assert refused.value.code == "invalid_assignee"


def test_cnv8_away_message_once_per_conversation_outside_office_hours(org, say, make_visitor, webchat):
    # No office hours at all: always closed.
    visitor = make_visitor(webchat)
    say("Hello?", visitor=visitor)
    say("Anyone?", visitor=visitor)
    conv = Conversation.objects.get(visitor=visitor)
    system = conv.messages.filter(sender=SenderKind.SYSTEM)
    assert [m.body for m in system] == [webchat.away_message]
    services.end(conv, None)
    say("Back again", visitor=visitor)
    assert Message.objects.filter(sender=SenderKind.SYSTEM).count() == 2


def test_cnv8_no_away_message_inside_office_hours(always_open, say):
    conv = say().message.conversation
    assert not conv.messages.filter(sender=SenderKind.SYSTEM).exists()


def test_cnv8_away_message_on_a_closure_day(always_open, say, org):
    from interact.admin_portal.models import ClosureDay
    from interact.core import clock

    instant = dt.datetime(2026, 12, 25, 10, 0, tzinfo=dt.UTC)
    ClosureDay.objects.create(organisation=org, date=dt.date(2026, 12, 25), label="Christmas")
    with clock.frozen(instant):
        conv = say().message.conversation
    assert conv.messages.filter(sender=SenderKind.SYSTEM).count() == 1


def test_cnv10_a_client_id_of_another_visitors_message_is_refused_not_echoed(always_open, say, make_visitor,
                                                                            webchat):
    say("Mine", visitor=make_visitor(webchat), client_id="shared-id")
    with pytest.raises(ServiceError) as refused:
        say("Yours", visitor=make_visitor(webchat), client_id="shared-id")
    assert refused.value.code == "duplicate_id" and refused.value.status == 409
    assert Message.objects.filter(client_id="shared-id").count() == 1
