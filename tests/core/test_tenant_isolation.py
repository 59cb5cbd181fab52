"""IAM-5: walk EVERY URL pattern (portal pages and API routes alike) as organisation A's Access Owner
and Administrator, aimed at organisation B's objects, and prove nothing of B is read or changed.

A new route with a path parameter this test cannot fill makes it fail: give the parameter an
object of organisation B in ``B_OBJECTS`` (or list the route in ``PUBLIC`` with a reason).
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

MARKER = "zzsecretb"

# Routes anyone may reach, and why no tenant data can flow through them.
PUBLIC = {
    "healthz": "liveness probe, no data",
    "set_language": "stores a language cookie",
    "javascript-catalog": "translation strings",
    "accounts:login": "sign-in form", "operator:login": "sign-in form",
    "accounts:password_reset": "answers the same for every address",
    "accounts:reset_confirm": "needs a signed token for one user",
    "accounts:logout": "ends the caller's own session",
    "api:openapi-json": "API schema", "api:openapi-view": "API docs",
    "api:token_from_password": "credential exchange (lockout-tested)",
    "api:api-root": "the API's index, no data",
    "privacy_public:verify": "the person's signed one-time link: same answer for any token, shows nothing",
}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}{p.name}" if p.name else prefix + str(p.pattern)), prefix + str(p.pattern)


def all_routes() -> list[tuple[str, str]]:
    seen, routes = set(), []
    for name, route in _walk(get_resolver().url_patterns):
        if route.startswith(("static/", "^static")) or (name, route) in seen:
            continue
        seen.add((name, route))
        routes.append((name, route))
    return routes


@pytest.fixture
def org_b(make_org, make_user):
    """Organisation B with one object of every kind, each named with MARKER."""
    from interact.accounts import services as accounts
    from interact.admin_portal.models import ClosureDay, OfficeHoursPeriod, Skill, Topic
    from interact.connectors.models import Channel

    org = make_org(name=f"{MARKER} org", options=("sdk",))
    user = make_user(org, role="agent", first_name=MARKER, email=f"{MARKER}@b.test")
    token, _secret = accounts.create_api_token(user, MARKER)
    import datetime as dt

    objects = {
        "org": org, "user": user, "token": token,
        "skill": Skill.objects.create(organisation=org, name=f"{MARKER} skill"),
        "topic": Topic.objects.create(organisation=org, name=f"{MARKER} topic"),
        "channel": Channel.objects.create(organisation=org, kind="webchat", name=f"{MARKER} channel",
                                          away_message=MARKER),
        "period": OfficeHoursPeriod.objects.create(organisation=org, weekday=6, opens=dt.time(1, 0),
                                                   closes=dt.time(2, 0)),
        "closure": ClosureDay.objects.create(organisation=org, date=dt.date(2031, 1, 2), label=MARKER),
    }
    objects.update(_conversations_of_b(objects["channel"], user))
    objects["page"] = _facebook_page_of_b(org)
    objects["bot"] = _bot_of_b(objects["channel"], objects["conversation"], user)
    objects.update(_privacy_of_b(org, objects["visitor"]))
    return objects


def _privacy_of_b(org, visitor) -> dict:
    """B's data-subject request with a generated package, a legal hold and a breach notice (PRV-2..7)."""
    from interact.privacy import breaches, services

    owner = org.users.get(org_profile="access_owner")
    req = services.register_request(org, owner, kind="access", identifier_kind="visitor_id", identifier=str(visitor.pk),
                                    notes=MARKER)
    services.verify_identity(req, owner, "verified_channel")
    services.fulfil(req, owner)
    hold = services.place_hold(org, owner, visitor_id=visitor.pk, conversation_id=None, reason=MARKER)
    breach = breaches.record_breach(None, aware_at=hold.placed_at, description=MARKER)
    breaches.notify_organisations(breach, [org.pk])
    return {"privacy_request": req, "hold": hold, "breach": breach}


def _bot_of_b(channel, conversation, agent):
    """B's chatbot on its website chat, paused for B's visitor (BOT-1, BOT-2)."""
    from django.test import override_settings

    from interact.bots import services as bots

    with override_settings(BOTS_ALLOW_PRIVATE_NETWORKS=True):  # no DNS look-up of the made-up host
        bot = bots.connect(channel.organisation, bots.BotData(
            channel_id=channel.pk, name=f"{MARKER} bot", platform="webhook",
            endpoint_url="https://bot.zzsecretb.example/hook"), agent).bot
    bots.pause(conversation, agent)
    return bot


def _facebook_page_of_b(org):
    """B's connected Facebook Page (secrets encrypted as connect_page stores them; no call to Meta)."""
    from interact.connectors.models import Channel, FacebookPage
    from interact.core import clock
    from interact.core.crypto import encrypt

    page = FacebookPage.objects.create(organisation=org, page_id="777000777", name=f"{MARKER} page",
                                       access_token_encrypted=encrypt(MARKER * 3),
                                       app_secret_encrypted=encrypt("ab" * 16), created_at=clock.now())
    for kind in ("messenger", "page_comments"):
        Channel.objects.create(organisation=org, kind=kind, name=f"{MARKER} {kind}", page=page)
    return page


def _conversations_of_b(channel, agent) -> dict:
    """B's visitor with an open conversation (taken by B's agent) and an ended one, a note, a failed reply."""
    from interact.connectors import webchat
    from interact.conversations import services
    from interact.conversations.models import Delivery, Message

    visitor = webchat.visitor_for(channel, webchat.identify(channel))
    visitor.first_name = MARKER
    visitor.save()
    ended = services.receive_message(channel, visitor, f"{MARKER} first").message.conversation
    services.end(ended, None)
    received = services.receive_message(channel, visitor, f"{MARKER} question")
    conversation = received.message.conversation
    services.take(conversation, agent)
    reply = services.send_reply(conversation, agent, f"{MARKER} answer")
    Message.objects.filter(pk=reply.pk).update(delivery=Delivery.FAILED, delivery_error=MARKER)
    note = services.add_note(visitor, agent, f"{MARKER} note")
    return {"visitor": visitor, "conversation": conversation, "ended": ended, "message": reply, "note": note}


def B_OBJECTS(b: dict) -> dict[str, str]:  # noqa: N802 - reads as a table
    """Path parameter name -> a value that designates organisation B's object."""
    return {
        "user_id": str(b["user"].pk), "org_id": str(b["org"].pk), "token_id": str(b["token"].pk),
        "skill_id": str(b["skill"].pk), "topic_id": str(b["topic"].pk), "channel_id": str(b["channel"].pk),
        "period_id": str(b["period"].pk), "closure_id": str(b["closure"].pk), "code": "de",
        "conversation_id": str(b["conversation"].pk), "visitor_id": str(b["visitor"].pk),
        "message_id": str(b["message"].pk),
        "page_id": str(b["page"].pk), "webhook_key": b["page"].webhook_key,
        "bot_id": str(b["bot"].pk),
        "request_id": str(b["privacy_request"].pk), "hold_id": str(b["hold"].pk), "breach_id": str(b["breach"].pk),
        "name": "package.json",
    }


def _fill(route: str, values: dict[str, str]) -> str | None:
    missing = []

    def sub(match):
        name = match.group(2)
        if name not in values:
            missing.append(name)
            return "0"
        return values[name]

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    path = re.sub(r"\{(\w+)\}", lambda m: sub(re.match(r"(())(\w+)", m.group(1)) or m), path)
    return None if missing else "/" + path.lstrip("^").rstrip("$")


def _snapshot(b: dict) -> str:
    from interact.accounts.models import ApiToken, User
    from interact.admin_portal.models import ClosureDay, GeneralSettings, Language, OfficeHoursPeriod, Skill, Topic
    from interact.connectors.models import Channel

    org = b["org"]
    org.refresh_from_db()
    parts = [
        (org.name, org.plan, org.seats, org.status),
        list(User.objects.filter(organisation=org).order_by("pk").values_list(
            "email", "first_name", "role", "is_active", "org_profile", "password")),
        list(ApiToken.objects.filter(user__organisation=org).values_list("name", "revoked_at")),
        list(Skill.objects.for_org(org).values_list("name", "description")),
        list(Topic.objects.for_org(org).values_list("name", "description")),
        list(Channel.objects.for_org(org).values_list("name", "away_message", "allowed_origins", "identity_secret")),
        list(OfficeHoursPeriod.objects.for_org(org).values_list("weekday", "opens", "closes")),
        list(ClosureDay.objects.for_org(org).values_list("date", "label")),
        list(Language.objects.for_org(org).values_list("code", flat=True)),
        list(GeneralSettings.objects.for_org(org).values_list("routing_enabled", "dispatch_enabled")),
        sorted(b["skill"].members.values_list("pk", flat=True)),
        *_conversation_snapshot(org),
        *_bot_snapshot(org),
        *_privacy_snapshot(org),
    ]
    return repr(parts)


def _privacy_snapshot(org) -> list:
    from interact.privacy.models import DataSubjectRequest, LegalHold, PrivacySettings

    return [
        list(DataSubjectRequest.objects.for_org(org).values_list("status", "identifier", "due_at", "extended_days")),
        list(LegalHold.objects.for_org(org).values_list("reason", "released_at")),
        list(PrivacySettings.objects.for_org(org).values_list("transcript_retention_days")),
    ]


def _bot_snapshot(org) -> list:
    from interact.bots.models import BotPause, Chatbot

    return [
        list(Chatbot.objects.for_org(org).values_list("name", "endpoint_url", "api_key_hash", "secret_encrypted",
                                                      "is_enabled", "timeout_seconds", "channel_id")),
        list(BotPause.objects.for_org(org).values_list("visitor_id", "reason")),
    ]


def _conversation_snapshot(org) -> list:
    from interact.conversations.models import Conversation, Message, Visitor, VisitorNote

    return [
        list(Conversation.objects.for_org(org).order_by("pk").values_list(
            "status", "assignee_id", "language", "ended_at", "archived_at", "message_count")),
        list(Conversation.objects.for_org(org).order_by("pk").values_list("skills", "topics")),
        list(Message.objects.for_org(org).order_by("pk").values_list("body", "delivery", "delivery_attempts")),
        list(Visitor.objects.for_org(org).order_by("pk").values_list(
            "first_name", "last_name", "email", "birth_date", "phone", "mobile")),
        list(VisitorNote.objects.for_org(org).order_by("pk").values_list("body")),
    ]


@pytest.mark.django_db
def test_iam5_every_route_refuses_organisation_b(org_b, admin, make_user, org, client):
    from interact.admin_portal.models import Language

    Language.objects.get_or_create(organisation=org_b["org"], code="de")
    a_users = [admin, make_user(org, role="supervisor")]
    before = _snapshot(org_b)
    unfillable, leaks, tested = [], [], 0
    for name, route in all_routes():
        if name in PUBLIC:
            continue
        path = _fill(route, B_OBJECTS(org_b))
        if path is None:
            unfillable.append(f"{name} ({route})")
            continue
        for user in a_users:
            client.force_login(user, backend="interact.accounts.backends.LockoutBackend")
            api = path.startswith("/api/")
            for method in ("get", "post", "put", "patch", "delete"):
                kwargs = {"data": json.dumps({"name": "hijack", "user_id": org_b["user"].pk, "body": "hijack",
                                              "assignee": a_users[0].pk, "topics": [], "skills": [],
                                              "first_name": "hijack"}),
                          "content_type": "application/json"} if api and method != "get" else {}
                if not api and method in ("put", "patch", "delete"):
                    continue
                response = getattr(client, method)(path, **kwargs)
                tested += 1
                body = response.content.decode(errors="replace").lower()
                has_param = "<" in route
                if response.status_code >= 500:
                    leaks.append(f"{method.upper()} {path} -> {response.status_code}")
                elif has_param and response.status_code in (200, 201, 204) and not _is_own_collection(name):
                    leaks.append(f"{method.upper()} {path} -> {response.status_code} on B's object")
                elif MARKER in body:
                    leaks.append(f"{method.upper()} {path} shows B's data")
    assert not unfillable, "routes with parameters this test cannot aim at B: " + ", ".join(unfillable)
    assert not leaks, "\n".join(leaks)
    assert _snapshot(org_b) == before, "organisation B was changed"
    assert tested > 50


def _is_own_collection(name: str) -> bool:
    """Routes whose parameter is a value, not an object of B (e.g. a language code A may add to its own list)."""
    return name in {"admin_portal:language_remove", "api:remove_language"}


@pytest.mark.django_db
def test_iam5_the_walk_covers_api_and_pages():
    names = {n for n, _r in all_routes()}
    assert any(n.startswith("api:") for n in names) and "accounts:users" in names
