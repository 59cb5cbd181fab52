"""PRV-3 coverage: a person seeded in every store — website chat and Messenger profiles, messages
both ways, a Page comment with attachments, notes, the event log, raw Meta webhook bodies, the bot's
pause, statistics facts, a generated access package, an earlier request, a consent, the cache —
is erased through a request, then every table of every installed model, every file of the privacy
directory and the cache are scanned for any trace: zero hits. Aggregates stay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from interact.core import clock
from interact.privacy import consent, services
from interact.privacy.models import ErasureRecord, RequestKind
from tests.connectors.conftest import comment_change, page_body, text_event

from .scan import cache_hits, file_hits, table_hits

FIRST, LAST = "Quetzalia", "Vorbnik"
EMAIL = "quetzalia.vorbnik@example.test"
PHONE = "+32 475 99 88 77"
PSID = "7788990011223344"
WORDS = "zebracornfjord"
NOTE = "notemarkerquill"
MARKERS = [FIRST, LAST, EMAIL, "475 99 88 77", "475998877", PSID, WORDS, NOTE, "quetzshop.example", "QuetzBrowser"]


def _seed(org, admin, make_visitor, say, deliver, graph, webchat, make_user):
    from interact.bots.models import BotPause, PauseReason
    from interact.conversations import services as conversations
    from interact.stats.services import rebuild

    graph.profiles[PSID] = {"first_name": FIRST, "last_name": LAST}
    agent = make_user(org, role="agent")
    web = make_visitor(webchat, first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE,
                       birth_date=dt.date(1990, 5, 17), attributes={"page": "https://quetzshop.example/cart",
                                                                    "user_agent": "QuetzBrowser/1.0"})
    first = say(web, f"Hello, I am {FIRST} {LAST}, {WORDS}, call me on {PHONE}")
    conv = first.conversation
    conversations.take(conv, agent)
    conversations.send_reply(conv, agent, f"Hello {FIRST}, we note {WORDS}")
    conversations.update_visitor(web, agent, mobile="0475998877")
    conversations.add_note(web, agent, f"{NOTE}: {FIRST} prefers e-mail")
    conversations.end(conv, agent)
    say(web, f"Still there? {WORDS}")  # a second, open conversation
    BotPause.objects.create(organisation=org, visitor=web, reason=PauseReason.END_USER, paused_at=clock.now(),
                            detail=f"paused for {FIRST}")
    # Messenger and a Page comment from the same person, through signed webhooks.
    deliver(page_body(messaging=[text_event(PSID, f"{WORDS} from messenger", attachments=[
        {"type": "image", "payload": {"url": "https://cdn.example/quetzshop.example.jpg"}}])]))
    deliver(page_body(changes=[comment_change(PSID, f"{WORDS} in a comment", comment_id="555_901",
                                              name=f"{FIRST} {LAST}")]))
    # Another person in the same webhook delivery stays.
    deliver(page_body(messaging=[text_event(PSID, f"{WORDS} again"), text_event("5550001", "Other person here")]))
    from interact.conversations.models import Visitor

    fb_visitors = list(Visitor.objects.filter(external_id=PSID))
    for v in fb_visitors:
        conversations.update_visitor(v, agent, email=EMAIL)
    for c in conv.visitor.conversations.all():
        rebuild(c.pk)
    # An earlier access request with its package on disk, and a consent.
    earlier = services.register_request(org, admin, kind=RequestKind.ACCESS, identifier_kind="email", identifier=EMAIL)
    services.verify_identity(earlier, admin, "registered_email")
    services.fulfil(earlier, admin)
    subject = consent.subject_of(org, "email", EMAIL)
    consent.record(org, subject, purpose="marketing.email", channel="webchat", action="given", at=None,
                   source="chat widget checkbox", wording_version="v3", collector=agent)
    cache.set(f"widget-tabs:{web.pk}", 1)
    return web, fb_visitors


@pytest.mark.django_db(transaction=True)
def test_prv3_erasure_leaves_no_trace_anywhere(org, admin, make_visitor, say, deliver, graph, webchat, make_user,
                                               privacy_dir):
    from interact.conversations.models import Conversation, Message
    from interact.stats.models import ConversationFact

    web, fb_visitors = _seed(org, admin, make_visitor, say, deliver, graph, webchat, make_user)
    assert table_hits(MARKERS), "the seed must put the person in the tables"
    assert file_hits(privacy_dir, MARKERS), "the seed must put the person in a package file"
    messages_before = Message.objects.for_org(org).count()
    conversations_before = Conversation.objects.for_org(org).count()
    facts_before = ConversationFact.objects.filter(organisation=org).count()

    req = services.register_request(org, admin, kind=RequestKind.ERASURE, identifier_kind="email", identifier=EMAIL)
    services.verify_identity(req, admin, "id_document")
    req = services.fulfil(req, admin)

    assert req.status == "completed" and len(req.visitor_ids) == 1 + len(fb_visitors)
    assert table_hits(MARKERS) == []
    assert file_hits(privacy_dir, MARKERS) == []
    assert cache_hits(MARKERS) == []
    # Aggregates stay: rows are counted as before, statistics facts are still there.
    assert Message.objects.for_org(org).count() == messages_before
    assert Conversation.objects.for_org(org).count() == conversations_before
    assert ConversationFact.objects.filter(organisation=org).count() == facts_before
    # The other person of the shared webhook delivery keeps their message.
    assert Message.objects.for_org(org).filter(body="Other person here").exists()
    from interact.connectors.models import WebhookEvent

    assert any(b"5550001" in bytes(body) for body in WebhookEvent.objects.values_list("body", flat=True))
    # The erasure log can recognise the person without naming them.
    assert ErasureRecord.objects.filter(organisation=org).count() == 1 + len(fb_visitors)


@pytest.mark.django_db(transaction=True)
def test_prv3_a_legal_hold_keeps_its_records_and_the_report_lists_them(org, admin, make_visitor, say, deliver, graph,
                                                                      webchat, make_user):
    web, _fb = _seed(org, admin, make_visitor, say, deliver, graph, webchat, make_user)
    held = web.conversations.order_by("pk").first()
    services.place_hold(org, admin, visitor_id=web.pk, conversation_id=held.pk,
                        reason="Dispute about order 42: kept 10 years after it ends (002 §6.3.2.5)")
    req = services.register_request(org, admin, kind=RequestKind.ERASURE, identifier_kind="email", identifier=EMAIL)
    services.verify_identity(req, admin, "id_document")
    req = services.fulfil(req, admin)
    assert "legal hold" in req.outcome.lower() and "Dispute about order 42" in req.outcome
    hits = table_hits(MARKERS)
    assert hits
    from interact.conversations.models import Event, Message

    held_messages = set(Message.objects.filter(conversation=held).values_list("pk", flat=True))
    held_events = set(Event.objects.filter(conversation=held).values_list("pk", flat=True))
    for label, pk, _field, _marker in hits:
        assert (label == "conversations.Message" and pk in held_messages) or \
            (label == "conversations.Event" and pk in held_events), (label, pk, _field)
    record = ErasureRecord.objects.get(organisation=org, visitor_id=web.pk)
    assert record.held == [{"kind": "conversation", "id": held.pk,
                            "reason": "Dispute about order 42: kept 10 years after it ends (002 §6.3.2.5)"}]
