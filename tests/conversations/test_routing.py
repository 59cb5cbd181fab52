"""CNV-2: routing by channel, language and skills; capacity, least load, online presence, re-offer."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interact.admin_portal.models import GeneralSettings, Language, Skill
from interact.conversations import routing, services
from interact.conversations.models import Presence, Status
from interact.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(org, webchat, always_open):
    GeneralSettings.objects.filter(organisation=org).update(routing_enabled=True, offer_timeout_seconds=60)
    return org


def _online(*users):
    for user in users:
        Presence.objects.create(user=user, channel_name=f"test.{user.pk}", seen_at=clock.now())


def _handler(make_user, org, webchat, *, languages=(), skills=(), role="agent", **fields):
    user = make_user(org, role, **fields)
    user.channels.add(webchat)
    for code in languages:
        user.languages.add(Language.objects.get_or_create(organisation=org, code=code)[0])
    user.skills.add(*skills)
    return user


def test_cnv2_routing_off_offers_to_everyone(org, webchat, always_open, say, make_user):
    other = make_user(org, "agent")
    conv = say().message.conversation
    assert set(routing.matching(conv)) >= {other}
    assert conv.offered_to_id is None


def test_cnv2_only_matching_channel_language_and_skills(routed, webchat, say, make_user, make_visitor):
    billing = Skill.objects.create(organisation=routed, name="Billing")
    fr_billing = _handler(make_user, routed, webchat, languages=["fr"], skills=[billing])
    fr_only = _handler(make_user, routed, webchat, languages=["fr"])
    nl_billing = _handler(make_user, routed, webchat, languages=["nl"], skills=[billing])
    no_channel = make_user(routed, "agent")
    conv = say(visitor=make_visitor(webchat, language="fr")).message.conversation
    assert set(routing.matching(conv)) == {fr_billing, fr_only}
    services.set_skills(conv, [billing], fr_only)
    conv.refresh_from_db()
    assert set(routing.matching(conv)) == {fr_billing}
    assert no_channel not in routing.matching(conv) and nl_billing not in routing.matching(conv)


def test_cnv2_a_language_nobody_speaks_does_not_strand_the_visitor(routed, webchat, say, make_user, make_visitor):
    speaker = _handler(make_user, routed, webchat, languages=["fr"])
    conv = say(visitor=make_visitor(webchat, language="de")).message.conversation
    assert list(routing.matching(conv)) == [speaker]


def test_cnv2_offer_goes_to_least_loaded_online_user_below_capacity(routed, webchat, say, make_user):
    busy = _handler(make_user, routed, webchat)
    free = _handler(make_user, routed, webchat)
    offline = _handler(make_user, routed, webchat)
    _online(busy, free)
    services.take(say().message.conversation, busy)
    conv = say().message.conversation
    conv.refresh_from_db()
    assert conv.offered_to == free
    free.max_conversations = 0
    free.save()
    conv2 = say().message.conversation
    conv2.refresh_from_db()
    assert conv2.offered_to == busy
    assert offline not in (conv.offered_to, conv2.offered_to)


def test_cnv2_offer_not_taken_in_time_goes_to_the_next(routed, webchat, say, make_user):
    first = _handler(make_user, routed, webchat)
    second = _handler(make_user, routed, webchat)
    _online(first, second)
    conv = say().message.conversation
    conv.refresh_from_db()
    offered = conv.offered_to
    later = clock.now() + dt.timedelta(seconds=30)
    assert services.reoffer_expired(later) == 0
    Presence.objects.update(seen_at=clock.now() + dt.timedelta(seconds=61))
    assert services.reoffer_expired(clock.now() + dt.timedelta(seconds=61)) == 1
    conv.refresh_from_db()
    assert conv.offered_to in {first, second} - {offered}
    assert offered.pk in conv.declined_by


def test_cnv2_adding_a_skill_takes_it_from_an_agent_who_lacks_it(routed, webchat, say, make_user):
    billing = Skill.objects.create(organisation=routed, name="Billing")
    generalist = _handler(make_user, routed, webchat)
    expert = _handler(make_user, routed, webchat, skills=[billing])
    conv = say().message.conversation
    services.take(conv, generalist)
    services.set_skills(conv, [billing], generalist)
    conv.refresh_from_db()
    assert conv.status == Status.QUEUED and conv.assignee is None
    with pytest.raises(Exception):
        services.take(conv, generalist)
    services.take(conv, expert)


def test_cnv2_a_queued_conversation_cannot_be_taken_by_someone_it_is_not_routed_to(routed, webchat, say, make_user):
    outsider = make_user(routed, "agent")  # not a member of the channel
    conv = say().message.conversation
    with pytest.raises(Exception) as refused:
        services.take(conv, outsider)
    assert getattr(refused.value, "code", "") == "not_routed_to_you"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(loads=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5)), min_size=1, max_size=5))
def test_cnv2_choice_is_least_loaded_with_room_property(routed, webchat, make_user, make_visitor, loads):
    """Whatever the loads and capacities, the chosen person has room and no one with room has less load."""
    from interact.conversations.models import Conversation

    Conversation.objects.filter(organisation=routed).delete()
    Presence.objects.all().delete()
    people = []
    for load, capacity in loads:
        user = _handler(make_user, routed, webchat, max_conversations=capacity)
        _online(user)
        for _ in range(load):
            conv = services.receive_message(webchat, make_visitor(webchat), "x").message.conversation
            Conversation.objects.filter(pk=conv.pk).update(status=Status.ACTIVE, assignee=user, offered_to=None)
        people.append((user, load, capacity))
    probe = services.receive_message(webchat, make_visitor(webchat), "probe").message.conversation
    Conversation.objects.filter(pk=probe.pk).update(offered_to=None)
    chosen = routing.choose(probe, clock.now())
    with_room = [(u, load) for u, load, cap in people if load < cap]
    if not with_room:
        assert chosen is None
    else:
        assert chosen is not None
        chosen_load = next(load for u, load, _ in people if u == chosen)
        assert chosen_load < chosen.max_conversations
        assert chosen_load == min(load for _, load in with_room)


def test_cnv2_capacity_is_set_per_end_user_through_the_api(org, admin, make_user, api_client):
    import json

    agent = make_user(org, "agent")
    api = api_client(admin)
    body = {"first_name": agent.first_name, "last_name": agent.last_name, "email": agent.email, "role": "agent",
            "max_conversations": 2}
    response = api.put(f"/api/users/{agent.pk}", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and response.json()["max_conversations"] == 2
    agent.refresh_from_db()
    assert agent.max_conversations == 2
    too_many = api.put(f"/api/users/{agent.pk}", data=json.dumps({**body, "max_conversations": 99}),
                       content_type="application/json")
    assert too_many.status_code == 422


def test_cnv2_capacity_and_offer_time_in_the_portal_forms(org, admin, make_user, login):
    agent = make_user(org, "agent")
    client = login(admin)
    assert 'name="max_conversations"' in client.get(f"/accounts/users/{agent.pk}/").content.decode()
    page = client.get("/portal/settings/").content.decode()
    assert 'name="offer_timeout_seconds"' in page


def test_stale_presence_rows_are_forgotten(routed, webchat, make_user):
    fresh, stale = _handler(make_user, routed, webchat), _handler(make_user, routed, webchat)
    _online(fresh)
    Presence.objects.create(user=stale, channel_name="dead.process", seen_at=clock.now() - dt.timedelta(hours=1))
    assert services.forget_stale_presence() == 1
    assert list(Presence.objects.values_list("user_id", flat=True)) == [fresh.pk]
