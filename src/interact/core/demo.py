"""Demo data for the embedded default (OPS-1): never loaded in production mode."""

from __future__ import annotations

import datetime as dt

import holidays
from django.conf import settings
from django.db import transaction

from interact.core import clock

DEMO_PASSWORD = "interact-demo"
DEMO_ORG = "Demo Company"


@transaction.atomic
def load() -> bool:
    """Create the demo operator, organisation and content; returns False when already there."""
    from interact.accounts import services as accounts
    from interact.accounts.models import Organisation, Realm, StaffRole, User
    from interact.admin_portal.models import (
        ClosureDay,
        GeneralSettings,
        Language,
        OfficeHoursPeriod,
        Skill,
        Topic,
    )
    from interact.connectors.models import Channel, ChannelKind
    from interact.core.permissions import Role

    if settings.PRODUCTION:
        raise RuntimeError("demo data is never loaded in production mode")
    if Organisation.objects.filter(name=DEMO_ORG).exists():
        return False
    operator = User.objects.create_user("operator@demo.example", DEMO_PASSWORD, realm=Realm.OPERATOR,
                                        first_name="Olivia", last_name="Operator",
                                        staff_role=StaffRole.OPERATOR_ADMIN)
    org = accounts.create_organisation_from_order_form(accounts.OrderFormData(
        name=DEMO_ORG, plan="bot", options=["sdk"], min_end_users=5, first_name="Amélie", last_name="Admin",
        email="admin@demo.example", language="fr"), operator)
    admin = User.objects.get(email="admin@demo.example")
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    people = [
        ("supervisor@demo.example", "Sven", "Supervisor", Role.SUPERVISOR, "nl"),
        ("agent@demo.example", "Anna", "Agent", Role.AGENT, "fr"),
        ("analyst@demo.example", "Arno", "Analyst", Role.ANALYST, "en"),
    ]
    for email, first, last, role, tongue in people:
        User.objects.create_user(email, DEMO_PASSWORD, organisation=org, first_name=first, last_name=last,
                                 role=role, mother_tongue=tongue)
    Language.objects.get_or_create(organisation=org, code="de")
    GeneralSettings.objects.filter(organisation=org).update(routing_enabled=True, dispatch_enabled=True)
    skills = {
        name: Skill.objects.create(organisation=org, name=name, description=description)
        for name, description in [
            ("Billing", "Invoices, payments and refunds."),
            ("Technical support", "Installation, connection and configuration problems."),
            ("Sales", "Offers, prices and new subscriptions."),
        ]
    }
    for name, description in [
        ("Invoice question", "The visitor asks about an invoice or a payment."),
        ("Delivery", "Order status, delivery dates and returns."),
        ("Complaint", "The visitor is unhappy and expects a follow-up."),
        ("Product information", "Questions before buying."),
    ]:
        Topic.objects.create(organisation=org, name=name, description=description)
    for weekday in range(5):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(8, 30),
                                         closes=dt.time(12, 30))
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(13, 30),
                                         closes=dt.time(18, 0))
    OfficeHoursPeriod.objects.create(organisation=org, weekday=5, opens=dt.time(9, 0), closes=dt.time(12, 0))
    year = clock.today().year
    for day, label in sorted(holidays.country_holidays("BE", years=[year, year + 1], language="fr").items()):
        ClosureDay.objects.create(organisation=org, date=day, label=label, source="holidays")
    website = Channel.objects.create(
        organisation=org, kind=ChannelKind.WEBCHAT, name="Website chat",
        away_message="Thanks for your message! We are closed right now; we answer Monday to Friday "
                     "8:30–18:00 and Saturday 9:00–12:00.",
        allowed_origins="http://127.0.0.1:8000\nhttp://localhost:8000",
    )
    by_email = {u.email: u for u in User.objects.filter(organisation=org)}
    for email in ("admin@demo.example", "supervisor@demo.example", "agent@demo.example"):
        user = by_email[email]
        user.channels.add(website)
        user.languages.set(Language.objects.for_org(org).filter(code__in=["fr", "nl", "en"]))
    by_email["agent@demo.example"].skills.add(skills["Billing"], skills["Technical support"])
    by_email["supervisor@demo.example"].skills.add(*skills.values())
    by_email["admin@demo.example"].skills.add(skills["Sales"])
    accounts.activate_organisation(org, operator)
    _past_conversations(org, website, by_email)
    from interact.bots.demo import connect_demo_bot

    connect_demo_bot(org, website, admin)  # Bot plan: the built-in demo bot answers the website chat first
    return True


DEMO_CONVERSATIONS = [
    # (days ago, visitor, language, handler, topic, [(who, text), ...])
    (6, ("Claire", "Dubois"), "fr", "agent@demo.example", "Invoice question", [
        ("v", "Bonjour, ma facture de novembre indique deux fois le même abonnement."),
        ("a", "Bonjour Claire, je regarde cela tout de suite. Pouvez-vous me donner le numéro de facture ?"),
        ("v", "C'est la facture 2026-1184."),
        ("a", "Merci. Le doublon est confirmé ; un avoir vous sera envoyé dans les 48 heures."),
    ]),
    (4, ("Pieter", "Janssens"), "nl", "supervisor@demo.example", "Delivery", [
        ("v", "Hallo, mijn bestelling is nog niet geleverd. Wanneer mag ik ze verwachten?"),
        ("a", "Dag Pieter, uw pakket is onderweg en wordt morgen tussen 9 en 13 uur geleverd."),
        ("v", "Top, bedankt!"),
    ]),
    (2, ("", ""), "en", "admin@demo.example", "Product information", [
        ("v", "Hi, does the Pro plan include the website chat widget?"),
        ("a", "Hello! The website chat widget comes with the SDK option, which you can add to any plan."),
        ("v", "Great, thanks for the quick answer."),
    ]),
]


def _past_conversations(org, website, by_email) -> None:
    """A few ended conversations so History, profiles and statistics have something to show."""
    from interact.admin_portal.models import Topic
    from interact.connectors import webchat
    from interact.conversations import services as conversations
    from interact.conversations.models import Visitor

    topics = {t.name: t for t in Topic.objects.for_org(org)}
    start = clock.now().replace(hour=9, minute=30, second=0, microsecond=0)
    for days_ago, (first, last), language, handler_email, topic, lines in DEMO_CONVERSATIONS:
        handler = by_email[handler_email]
        moment = start - dt.timedelta(days=days_ago)
        with clock.frozen(moment):
            visitor = webchat.visitor_for(website, webchat.identify(website), language=language,
                                          attributes={"page": "http://127.0.0.1:8000/demo/site/"})
            Visitor.objects.filter(pk=visitor.pk).update(first_name=first, last_name=last)
            conversation = conversations.receive_message(website, visitor, lines[0][1]).message.conversation
            conversations.take(conversation, handler)
        for step, (who, text) in enumerate(lines[1:], start=1):
            with clock.frozen(moment + dt.timedelta(minutes=2 * step)):
                if who == "v":
                    conversations.receive_message(website, visitor, text)
                else:
                    conversations.send_reply(conversation, handler, text)
        with clock.frozen(moment + dt.timedelta(minutes=2 * len(lines) + 1)):
            conversations.end(conversation, handler)
            conversations.archive(conversation, [topics[topic]], handler)
