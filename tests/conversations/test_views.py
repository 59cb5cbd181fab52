"""The Inbox and History pages (CNV-1..7, CNV-9, CNV-10) through the portal, per role and across
organisations. Writes go through the pages exactly as a browser without JavaScript posts them,
and through htmx (``HX-Request``) where the answer is a partial."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from interact.admin_portal.models import GeneralSettings, Skill, Topic
from interact.conversations import services
from interact.conversations.models import Conversation, Delivery, Message, Presence, SenderKind, Status
from interact.core import clock

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(f"conversations:{name}", args=args)


@pytest.fixture
def agent(org, make_user):
    return make_user(org, "agent", first_name="Ada", last_name="Agent")


@pytest.fixture
def supervisor(org, make_user):
    return make_user(org, "supervisor", first_name="Sam", last_name="Super")


@pytest.fixture
def queued(always_open, say):
    return say("I need help with my invoice").message.conversation


def _dispatch_on(org, on: bool = True, routing: bool = False) -> None:
    GeneralSettings.objects.update_or_create(organisation=org, defaults={"dispatch_enabled": on,
                                                                         "routing_enabled": routing})


# --- access per role (IAM-3) -----------------------------------------------------------------------

@pytest.mark.parametrize("role,inbox_status,history_status", [
    ("administrator", 200, 200), ("supervisor", 200, 200), ("agent", 200, 403), ("analyst", 403, 403)])
def test_cnv1_cnv7_pages_per_role(org, make_user, login, queued, role, inbox_status, history_status):
    client = login(make_user(org, role))
    assert client.get(url("inbox")).status_code == inbox_status
    assert client.get(url("inbox_lists")).status_code == inbox_status
    assert client.get(url("conversation", queued.pk)).status_code == inbox_status
    assert client.get(url("history")).status_code == history_status


def test_anonymous_is_sent_to_sign_in(client, queued):
    for target in (url("inbox"), url("conversation", queued.pk), url("history"), url("history_detail", queued.pk)):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url("take", queued.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED


def test_analyst_cannot_post_actions(org, make_user, login, queued):
    client = login(make_user(org, "analyst"))
    assert client.post(url("take", queued.pk)).status_code == 403
    assert client.post(url("reply", queued.pk), {"body": "x"}).status_code == 403
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED and queued.message_count == 1


def test_nav_shows_inbox_and_history_by_permission(org, make_user, login, admin):
    page = login(make_user(org, "agent")).get("/").content.decode()
    assert url("inbox") in page and url("history") not in page
    page = login(admin).get("/").content.decode()
    assert url("inbox") in page and url("history") in page


def test_iam5_another_organisations_conversation_is_404(other_org, make_user, login, queued):
    client = login(make_user(other_org, "administrator"))
    for name in ("conversation", "messages", "history_detail"):
        assert client.get(url(name, queued.pk)).status_code == 404
    for name in ("take", "release", "end", "archive", "assign", "skills", "visitor_profile", "add_note"):
        assert client.post(url(name, queued.pk), {"body": "x"}).status_code == 404, name
    assert client.post(url("reply", queued.pk), {"body": "hijack"}).status_code == 404
    message = queued.messages.first()
    assert client.post(url("retry", queued.pk, message.pk)).status_code == 404
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED and queued.message_count == 1
    assert not client.get(url("inbox")).content.decode().count(f'data-id="{queued.pk}"')


@pytest.mark.parametrize("pk", [0, 2**31, 2**63 + 1, 10**30])
def test_absurd_ids_are_404_not_500(login, agent, queued, pk):
    client = login(agent)
    assert client.get(url("conversation", pk)).status_code == 404
    assert client.post(url("take", pk)).status_code == 404
    assert client.post(url("retry", queued.pk, pk)).status_code == 404


# --- the inbox lists (CNV-1, CNV-4) --------------------------------------------------------------

def test_cnv1_queue_lists_the_waiting_conversation_with_its_facts(login, agent, always_open, make_visitor, webchat,
                                                                  say):
    visitor = make_visitor(webchat, language="nl")
    services.update_visitor(visitor, agent, first_name="Nele", last_name="Peeters")
    conv = say("Hallo", visitor=visitor).message.conversation
    page = login(agent).get(url("inbox")).content.decode()
    section = page.split('data-section="queue"', 1)[1]
    assert f'data-id="{conv.pk}"' in section and "Nele Peeters" in section
    assert "Site" in section and "NL" in section and "waiting" in section
    assert 'data-last-event="' in page and "conversations/inbox.js" in page


def test_cnv2_offered_conversation_is_highlighted(org, login, agent, queued):
    Conversation.objects.filter(pk=queued.pk).update(offered_to=agent, offered_at=clock.now())
    html = login(agent).get(url("inbox_lists")).content.decode()
    assert "conv-item offered" in html and "Offered to you" in html


def test_cnv4_dispatchers_see_others_only_when_dispatch_is_enabled(org, login, agent, supervisor, queued):
    services.take(queued, agent)
    client = login(supervisor)
    assert "Others (dispatch)" not in client.get(url("inbox_lists")).content.decode()
    _dispatch_on(org)
    html = client.get(url("inbox_lists")).content.decode()
    assert "Others (dispatch)" in html and f'data-id="{queued.pk}"' in html.split('data-section="others"', 1)[1]
    # an agent never sees the dispatch list, even with dispatch on
    assert "Others (dispatch)" not in login(agent).get(url("inbox_lists")).content.decode()


# --- take, reply, end, archive through the pages (CNV-1, CNV-6) -----------------------------------

def test_cnv1_cnv6_take_reply_end_archive_without_javascript(org, login, agent, queued):
    topic = Topic.objects.create(organisation=org, name="Billing")
    client = login(agent)
    response = client.post(url("take", queued.pk))
    assert response.status_code == 302 and response["Location"] == url("conversation", queued.pk)
    queued.refresh_from_db()
    assert queued.status == Status.ACTIVE and queued.assignee == agent

    response = client.post(url("reply", queued.pk), {"body": "Let me check that for you.", "client_id": "r1"})
    assert response.status_code == 302
    reply = Message.objects.get(conversation=queued, sender=SenderKind.AGENT)
    assert reply.body == "Let me check that for you." and reply.author == agent
    # the same client id twice is one message (CNV-10)
    client.post(url("reply", queued.pk), {"body": "Let me check that for you.", "client_id": "r1"})
    assert Message.objects.filter(conversation=queued, sender=SenderKind.AGENT).count() == 1

    page = client.get(url("conversation", queued.pk)).content.decode()
    assert "Let me check that for you." in page and "I need help with my invoice" in page
    assert "msg-agent" in page and "msg-visitor" in page

    assert client.post(url("end", queued.pk)).status_code == 302
    queued.refresh_from_db()
    assert queued.status == Status.ENDED
    page = client.get(url("conversation", queued.pk)).content.decode()
    assert "Archive this conversation" in page and 'id="composer"' not in page

    response = client.post(url("archive", queued.pk), {"topics": [topic.pk]}, follow=True)
    assert response.status_code == 200 and "now in History" in response.content.decode()
    queued.refresh_from_db()
    assert queued.status == Status.ARCHIVED and list(queued.topics.all()) == [topic]


def test_cnv6_archive_needs_a_topic(org, login, agent, queued):
    services.take(queued, agent)
    services.end(queued, agent)
    response = login(agent).post(url("archive", queued.pk), {})
    assert response.status_code == 400 and "Choose at least one topic." in response.content.decode()
    queued.refresh_from_db()
    assert queued.status == Status.ENDED


def test_cnv6_another_organisations_topic_is_refused(org, other_org, login, agent, queued):
    foreign = Topic.objects.create(organisation=other_org, name="Theirs")
    services.take(queued, agent)
    services.end(queued, agent)
    response = login(agent).post(url("archive", queued.pk), {"topics": [foreign.pk]})
    assert response.status_code == 400
    queued.refresh_from_db()
    assert queued.status == Status.ENDED


def test_htmx_actions_answer_the_pane(org, login, agent, queued):
    client = login(agent)
    response = client.post(url("take", queued.pk), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div class="workspace"') and "You took this conversation." in html
    response = client.post(url("reply", queued.pk), {"body": "Hi there"}, **HTMX)
    assert response.status_code == 200 and "Hi there" in response.content.decode()
    response = client.get(url("conversation", queued.pk), **HTMX)
    assert response.content.decode().startswith('<div class="workspace"')


def test_service_errors_are_messages_not_500(org, login, agent, make_user, queued):
    other = make_user(org, "agent")
    services.take(queued, other)
    client = login(agent)
    _dispatch_on(org)  # agents still cannot dispatch: this only widens supervisors
    # the agent cannot see another agent's active conversation at all
    assert client.post(url("take", queued.pk)).status_code == 404
    supervisor = make_user(org, "supervisor")
    client = login(supervisor)
    response = client.post(url("take", queued.pk), follow=True)
    assert response.status_code == 200 and "already took this conversation" in response.content.decode()
    response = client.post(url("take", queued.pk), **HTMX)
    assert response.status_code == 200 and "already took this conversation" in response.content.decode()


def test_empty_reply_is_a_form_error(login, agent, queued):
    response = login(agent).post(url("reply", queued.pk), {"body": "   "})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert queued.messages.count() == 1


def test_reply_to_an_ended_conversation_is_refused(login, agent, queued):
    services.take(queued, agent)
    services.end(queued, agent)
    response = login(agent).post(url("reply", queued.pk), {"body": "Too late"}, follow=True)
    assert response.status_code == 200 and "This conversation has ended." in response.content.decode()
    assert not queued.messages.filter(body="Too late").exists()


def test_release_puts_it_back_in_the_queue(login, agent, queued):
    services.take(queued, agent)
    response = login(agent).post(url("release", queued.pk))
    assert response.status_code == 302 and response["Location"] == url("inbox")
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED and queued.assignee is None


# --- assign and skills (CNV-2, CNV-3, CNV-4) ------------------------------------------------------

def test_cnv3_assign_moves_it_to_their_list(org, login, agent, make_user, queued):
    colleague = make_user(org, "agent", first_name="Cleo")
    response = login(agent).post(url("assign", queued.pk), {"assignee": colleague.pk})
    assert response.status_code == 302 and response["Location"] == url("inbox")
    queued.refresh_from_db()
    assert queued.status == Status.ASSIGNED and queued.assignee == colleague
    html = login(colleague).get(url("inbox_lists")).content.decode()
    assert f'data-id="{queued.pk}"' in html.split('data-section="assigned"', 1)[1].split('data-section="queue"')[0]


def test_cnv3_assign_to_an_analyst_or_foreign_user_is_a_form_error(org, other_org, login, agent, make_user, queued):
    client = login(agent)
    for target in (make_user(org, "analyst"), make_user(other_org, "agent")):
        response = client.post(url("assign", queued.pk), {"assignee": target.pk})
        assert response.status_code == 400
    response = client.post(url("assign", queued.pk), {"assignee": "nope"})
    assert response.status_code == 400
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED


def test_cnv2_changing_skills_routes_the_conversation_again(org, login, agent, make_user, webchat, queued):
    expert = make_user(org, "agent", first_name="Expert")
    webchat.members.add(agent, expert)
    skill = Skill.objects.create(organisation=org, name="Dutch law")
    skill.members.add(expert)
    _dispatch_on(org, on=False, routing=True)
    Presence.objects.create(user=expert, channel_name="test.expert", seen_at=clock.now())
    services.take(queued, agent)
    response = login(agent).post(url("skills", queued.pk), {"skills": [skill.pk]})
    # the agent no longer matches: the conversation leaves them and is offered to the expert
    assert response.status_code == 302 and response["Location"] == url("inbox")
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED and queued.assignee is None and queued.offered_to == expert
    assert list(queued.skills.all()) == [skill]


def test_cnv2_skills_that_still_match_keep_the_conversation(org, login, agent, queued):
    skill = Skill.objects.create(organisation=org, name="Billing")
    services.take(queued, agent)
    response = login(agent).post(url("skills", queued.pk), {"skills": [skill.pk]}, **HTMX)
    assert response.status_code == 200 and "Billing" in response.content.decode()
    queued.refresh_from_db()
    assert queued.status == Status.ACTIVE and queued.assignee == agent


# --- visitor profile and notes (CNV-5) -----------------------------------------------------------

def test_cnv5_profile_edit_and_validation(login, agent, queued):
    client = login(agent)
    tomorrow = clock.today() + dt.timedelta(days=1)
    response = client.post(url("visitor_profile", queued.pk), {"first_name": "Jan", "email": "not-an-email",
                                                               "birth_date": tomorrow.isoformat()})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    response = client.post(url("visitor_profile", queued.pk), {"first_name": "Jan", "email": "jan@example.test",
                                                               "birth_date": tomorrow.isoformat()})
    assert response.status_code == 400 and "A birth date cannot be in the future." in response.content.decode()
    visitor = queued.visitor
    visitor.refresh_from_db()
    assert visitor.first_name == "" and visitor.email == "" and visitor.birth_date is None

    response = client.post(url("visitor_profile", queued.pk), {
        "first_name": "Jan", "last_name": "Janssens", "email": "jan@example.test", "birth_date": "1980-02-29",
        "phone": "+32 2 555 12 12", "mobile": "+32 470 12 34 56"})
    assert response.status_code == 302
    visitor.refresh_from_db()
    assert (visitor.name, visitor.email, visitor.birth_date, visitor.mobile) == (
        "Jan Janssens", "jan@example.test", dt.date(1980, 2, 29), "+32 470 12 34 56")
    page = client.get(url("conversation", queued.pk)).content.decode()
    assert "Jan Janssens" in page and "jan@example.test" in page


def test_cnv5_profile_errors_over_htmx_stay_in_the_pane(login, agent, queued):
    response = login(agent).post(url("visitor_profile", queued.pk), {"email": "broken"}, **HTMX)
    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()


def test_cnv5_notes_are_added_and_listed(login, agent, queued):
    client = login(agent)
    assert client.post(url("add_note", queued.pk), {"body": "Prefers to be called after 5 pm"}).status_code == 302
    assert client.post(url("add_note", queued.pk), {"body": ""}).status_code == 400
    page = client.get(url("conversation", queued.pk)).content.decode()
    assert "Prefers to be called after 5 pm" in page and "Ada Agent" in page
    assert queued.visitor.notes.count() == 1


def test_cnv5_previous_conversations_on_the_channel_are_linked(login, agent, make_visitor, webchat, always_open, say):
    visitor = make_visitor(webchat, page="https://shop.example/cart")
    first = say("First time", visitor=visitor).message.conversation
    services.take(first, agent)
    services.end(first, agent)
    second = say("Back again", visitor=visitor).message.conversation
    client = login(agent)
    page = client.get(url("conversation", second.pk)).content.decode()
    assert url("conversation", first.pk) in page.split("Previous conversations", 1)[1]
    assert "https://shop.example/cart" in page  # channel fields from the visitor's attributes
    # the earlier conversation opens read-only
    page = client.get(url("conversation", first.pk)).content.decode()
    assert "First time" in page and 'id="composer"' not in page


# --- delivery failures (CNV-10) ----------------------------------------------------------------

def test_cnv10_failed_message_shows_the_error_and_can_be_sent_again(login, agent, queued):
    services.take(queued, agent)
    message = services.send_reply(queued, agent, "Are you there?")
    Message.objects.filter(pk=message.pk).update(delivery=Delivery.FAILED, delivery_error="Visitor unreachable")
    client = login(agent)
    page = client.get(url("conversation", queued.pk)).content.decode()
    assert "Visitor unreachable" in page and "Send again" in page
    response = client.post(url("retry", queued.pk, message.pk))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.delivery == Delivery.PENDING and message.delivery_error == ""  # queued for delivery again
    # a message that did not fail cannot be "sent again"
    assert client.post(url("retry", queued.pk, message.pk)).status_code == 404


def test_messages_partial(login, agent, queued):
    response = login(agent).get(url("messages", queued.pk))
    assert response.status_code == 200 and "I need help with my invoice" in response.content.decode()


# --- History (CNV-6, CNV-7) --------------------------------------------------------------------

@pytest.fixture
def archive_one(org, always_open, make_visitor, say):
    def do(body: str, *, channel, handler, topic=None, skill=None, language="", visitor_name=""):
        visitor = make_visitor(channel, language=language)
        if visitor_name:
            first, last = visitor_name.split()
            services.update_visitor(visitor, handler, first_name=first, last_name=last)
        conv = say(body, visitor=visitor, channel=channel).message.conversation
        if skill:
            services.set_skills(conv, [skill], handler)
        services.take(conv, handler)
        services.end(conv, handler)
        if topic:
            services.archive(conv, [topic], handler)
        return conv

    return do


@pytest.fixture
def history_set(org, make_user, webchat, archive_one):
    from interact.connectors.models import Channel, ChannelKind

    messenger = Channel.objects.create(organisation=org, kind=ChannelKind.MESSENGER, name="Facebook")
    billing = Topic.objects.create(organisation=org, name="Billing")
    delivery = Topic.objects.create(organisation=org, name="Delivery")
    legal = Skill.objects.create(organisation=org, name="Legal")
    ada = make_user(org, "agent", first_name="Ada", last_name="Lovelace")
    bob = make_user(org, "agent", first_name="Bob", last_name="Builder")
    a = archive_one("My parcel never arrived", channel=webchat, handler=ada, topic=delivery, language="fr",
                    visitor_name="Marie Dupont")
    b = archive_one("Invoice twice charged", channel=messenger, handler=bob, topic=billing, skill=legal,
                    language="nl", visitor_name="Pieter Claes")
    return {"a": a, "b": b, "messenger": messenger, "billing": billing, "legal": legal}


def _ids(response) -> set[int]:
    return {conv.pk for conv in response.context["page"].object_list}


@pytest.mark.parametrize("params,expected", [
    ({}, {"a", "b"}),
    ({"channel": "messenger"}, {"b"}),
    ({"language": "fr"}, {"a"}),
    ({"topic": "billing"}, {"b"}),
    ({"skill": "legal"}, {"b"}),
    ({"end_user": "lovelace"}, {"a"}),
    ({"visitor": "pieter"}, {"b"}),
    ({"text": "parcel"}, {"a"}),
    ({"text": "invoice"}, {"b"}),
    ({"text": "nothing-like-this"}, set()),
])
def test_cnv7_each_history_filter_narrows_the_results(login, admin, history_set, params, expected):
    query = {key: (history_set[value].pk if value in history_set else value) for key, value in params.items()}
    response = login(admin).get(url("history"), query)
    assert response.status_code == 200
    assert _ids(response) == {history_set[key].pk for key in expected}


def test_cnv7_period_filter(login, admin, history_set):
    a, b = history_set["a"], history_set["b"]
    Conversation.objects.filter(pk=a.pk).update(ended_at=dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC))
    Conversation.objects.filter(pk=b.pk).update(ended_at=dt.datetime(2024, 5, 20, 12, tzinfo=dt.UTC))
    client = login(admin)
    assert _ids(client.get(url("history"), {"since": "2024-03-01", "until": "2024-03-31"})) == {a.pk}
    assert _ids(client.get(url("history"), {"since": "2024-04-01"})) == {b.pk}
    assert _ids(client.get(url("history"), {"until": "2024-01-01"})) == set()


def test_cnv7_history_rows_and_transcript(login, admin, history_set):
    b = history_set["b"]
    client = login(admin)
    page = client.get(url("history")).content.decode()
    assert "Pieter Claes" in page and "Bob Builder" in page and "Facebook" in page and "Billing" in page
    detail = client.get(url("history_detail", b.pk)).content.decode()
    assert "Invoice twice charged" in detail and "Billing" in detail and "Legal" in detail
    assert 'id="composer"' not in detail


def test_cnv7_history_does_not_list_open_conversations(login, admin, queued):
    client = login(admin)
    assert _ids(client.get(url("history"))) == set()
    assert client.get(url("history_detail", queued.pk)).status_code == 404


@pytest.mark.parametrize("params", [
    {"since": "31/02/2024"}, {"until": "tomorrow"}, {"channel": "abc"}, {"topic": "1.5"}, {"skill": "-1"},
    {"channel": "99999999999999999999"}, {"language": "xx"}, {"since": "2024-05-01", "until": "2024-04-01"},
    {"text": "x" * 500},
])
def test_cnv7_bad_filter_values_are_form_errors_not_500(login, admin, history_set, params):
    response = login(admin).get(url("history"), params)
    assert response.status_code == 200
    assert response.context["form"].errors and response.context["page"] is None
    assert "errorlist" in response.content.decode()


def test_cnv7_history_paginates(org, login, admin, webchat, archive_one, monkeypatch):
    from interact.conversations import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    handler = admin
    made = [archive_one(f"Question {n}", channel=webchat, handler=handler) for n in range(5)]
    client = login(admin)
    first = client.get(url("history"), {"text": "question"})
    assert len(first.context["page"].object_list) == 2 and first.context["page"].paginator.num_pages == 3
    html = first.content.decode()
    assert "page=2" in html and "text=question" in html
    last = client.get(url("history"), {"text": "question", "page": 3})
    assert len(last.context["page"].object_list) == 1
    seen = _ids(first) | _ids(client.get(url("history"), {"text": "question", "page": 2})) | _ids(last)
    assert seen == {c.pk for c in made}
    assert client.get(url("history"), {"page": "nonsense"}).status_code == 200
