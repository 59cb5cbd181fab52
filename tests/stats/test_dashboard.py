"""The dashboard over a hand-timed week (STA-1, STA-2, STA-3): facts built from the real event
log, the API's exact figures, the portal's tabs, CSV exports, roles and bad input.

The week (Monday–Friday 09:00–17:00 office hours, see conftest.py):
1. Site, Mon 10:00 — Anna takes 10:04, replies 10:05, ends 10:20 → first response 5 min,
   wait 4 min, handling 16 min, resolution 20 min; all inside office hours.
2. Site, Mon 16:50 — Anna 16:52–16:55, back to the queue, Bert takes 17:10, replies 17:15,
   ends 17:30 → first response 25 min (10 in office hours), wait 2+15 = 17 min (2+5 = 7),
   handling 3+20 = 23 min (3), resolution 40 min (10).
3. Shop, Sat 10:00 — away message, the visitor leaves 10:30 → abandoned, wait 30 min (0).
"""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.django_db


def rows(tab: dict, key: str) -> list[list]:
    return next(t for t in tab["tables"] if t["key"] == key)["rows"]


def get(client, path: str, query: dict) -> dict:
    response = client.get(path, query)
    assert response.status_code == 200, response.content
    return response.json()


def test_sta2_sta3_conversations_tab_exact_figures_wall_clock(week, admin, api_client, week_query):
    tab = get(api_client(admin), "/api/stats/conversations", week_query)
    assert rows(tab, "per_channel") == [["Site", 2], ["Shop", 1]]
    assert rows(tab, "per_topic") == [["Billing", 1], ["Delivery", 1]]
    hours = dict(map(tuple, rows(tab, "by_hour")))
    assert hours["10:00"] == 2 and hours["16:00"] == 1 and sum(hours.values()) == 3
    days = dict(map(tuple, rows(tab, "by_weekday")))
    assert days["Monday"] == 2 and days["Saturday"] == 1
    outcomes = {r[0]: r[1:] for r in rows(tab, "outcomes")}
    assert outcomes["Received"] == [3, 100.0]
    assert outcomes["Answered by an end user"] == [2, 66.7]
    assert outcomes["Resolved by an end user"] == [2, 66.7]
    assert outcomes["Abandoned while waiting"] == [1, 33.3]
    assert outcomes["Away message sent"] == [1, 33.3]
    assert outcomes["Started with the chatbot"] == [0, 0.0]
    durations = dict(map(tuple, rows(tab, "durations")))
    assert durations == {"Time to first response": 900, "Waiting time in queue": 1020,
                         "Handling time": 780, "Resolution time": 1800}


def test_sta3_business_hours_switch(week, admin, api_client, week_query):
    tab = get(api_client(admin), "/api/stats/conversations", {**week_query, "time": "business"})
    assert tab["period"]["time"] == "business"
    durations = dict(map(tuple, rows(tab, "durations")))
    assert durations == {"Time to first response": 450, "Waiting time in queue": 220,
                         "Handling time": 380, "Resolution time": 900}


def test_sta2_messages_tab(week, admin, api_client, week_query):
    tab = get(api_client(admin), "/api/stats/messages", week_query)
    assert tab["average_messages"] == 2.0
    assert dict((r[0], r[1]) for r in rows(tab, "messages_distribution"))["2"] == 3
    senders = {r[0]: r[1] for r in rows(tab, "messages_by_sender")}
    assert senders == {"Visitors": 3, "End users": 2, "Chatbot": 0, "Automatic": 1}
    response = {r[0]: r[1] for r in rows(tab, "first_response_distribution")}
    assert response["5–15 min"] == 1 and response["15–60 min"] == 1 and sum(response.values()) == 2


def test_sta2_conversations_per_end_user(week, people, api_client, week_query):
    tab = get(api_client(people["sue"]), "/api/stats/end-users", week_query)
    by_name = {r[0]: r[1:] for r in rows(tab, "per_end_user")}
    # conversations, resolved, replies, first response, handling, resolution (averages, seconds)
    assert by_name["Anna Agent"] == [2, 1, 1, 300, 570, 1200]
    assert by_name["Bert Agent"] == [1, 1, 1, 1500, 1200, 2400]


def test_sta2_filters_by_channel_topic_and_skill(week, admin, api_client, week_query, org):
    from interact.admin_portal.models import Skill

    client = api_client(admin)
    shop = get(client, "/api/stats/conversations", {**week_query, "channel": week["shop"].pk})
    assert rows(shop, "per_channel") == [["Shop", 1]]
    billing = get(client, "/api/stats/conversations", {**week_query, "topic": week["billing"].pk})
    assert rows(billing, "per_channel") == [["Site", 1]] and rows(billing, "per_topic") == [["Billing", 1]]
    from interact.stats import services as stats_services

    french = Skill.objects.create(organisation=org, name="French")
    week["c2"].skills.add(french)  # as if set while it was open (conversation.updated marks it stale)
    stats_services.mark_stale([week["c2"].pk], org.pk)
    skilled = get(client, "/api/stats/conversations", {**week_query, "skill": french.pk})
    assert rows(skilled, "per_channel") == [["Site", 1]]


def test_sta1_preset_periods_count_from_today(week, admin, api_client):
    from interact.core import clock

    from .conftest import at

    with clock.frozen(at(8, "12:00")):  # Sunday 8 March
        assert rows(get(api_client(admin), "/api/stats/conversations", {"period": "7d"}), "outcomes")[0][1] == 3
        assert rows(get(api_client(admin), "/api/stats/conversations", {"period": "today"}), "outcomes")[0][1] == 0
    with clock.frozen(at(7, "12:00")):
        assert rows(get(api_client(admin), "/api/stats/conversations", {"period": "today"}), "outcomes")[0][1] == 1


@pytest.mark.parametrize("query, code", [
    ({"period": "custom", "start": "2026-03-07", "end": "2026-03-01"}, "period_reversed"),
    ({"period": "custom", "start": "2024-01-01", "end": "2026-03-01"}, "period_too_long"),
    ({"period": "custom", "start": "2026-13-01", "end": "2026-03-01"}, "invalid_date"),
    ({"period": "custom", "start": "yesterday", "end": "2026-03-01"}, "invalid_date"),
    ({"period": "custom", "start": "2026-03-01"}, "invalid_period"),
    ({"period": "fortnight"}, "invalid_period"),
    ({"time": "lunar"}, "invalid_time"),
    ({"channel": "abc"}, "invalid_filter"),
    ({"topic": "999999"}, "invalid_filter"),
])
def test_sta1_bad_input_is_a_clear_400_everywhere(admin, api_client, login, query, code):
    response = api_client(admin).get("/api/stats/conversations", query)
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    page = login(admin).get("/portal/stats/", query)
    assert page.status_code == 400 and f'data-code="{code}"'.encode() in page.content
    export = login(admin).get("/portal/stats/export.csv", {**query, "table": "per_channel"})
    assert export.status_code == 400 and export.content.startswith(code.encode())
    api_export = api_client(admin).get("/api/stats/export", {**query, "table": "per_channel"})
    assert api_export.status_code == 400 and api_export.json()["error"]["code"] == code


def test_sta2_two_years_exactly_is_allowed(admin, api_client):
    response = api_client(admin).get("/api/stats/conversations",
                                     {"period": "custom", "start": "2024-03-02", "end": "2026-03-01"})
    assert response.status_code == 200


def test_sta2_another_organisations_filter_ids_are_unknown(week, other_org, make_user, api_client, week_query):
    outsider = make_user(other_org, "administrator")
    response = api_client(outsider).get("/api/stats/conversations", {**week_query, "channel": week["site"].pk})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_filter"
    tab = get(api_client(outsider), "/api/stats/conversations", week_query)
    assert rows(tab, "per_channel") == [] and rows(tab, "outcomes")[0][1] == 0


def test_sta2_analyst_never_sees_per_end_user_data(week, people, api_client, login, week_query):
    analyst = people["ann"]
    client = api_client(analyst)
    assert client.get("/api/stats/conversations", week_query).status_code == 200
    assert client.get("/api/stats/messages", week_query).status_code == 200
    denied = client.get("/api/stats/end-users", week_query)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    assert client.get("/api/stats/export", {**week_query, "table": "per_end_user"}).status_code == 403
    portal = login(analyst)
    assert portal.get("/portal/stats/end-users/", week_query).status_code == 403
    assert portal.get("/portal/stats/export.csv", {**week_query, "table": "per_end_user"}).status_code == 403
    page = portal.get("/portal/stats/", week_query)
    assert page.status_code == 200
    assert b'data-tab="end-users"' not in page.content
    for name in (b"Anna", b"Bert"):  # no end user's name anywhere in what an Analyst gets
        assert name not in page.content
        assert name not in client.get("/api/stats/conversations", week_query).content
        assert name not in client.get("/api/stats/messages", week_query).content


@pytest.mark.parametrize("role, status", [("administrator", 200), ("supervisor", 200), ("analyst", 200),
                                          ("agent", 403)])
def test_sta1_who_sees_the_dashboard(org, make_user, login, api_client, role, status):
    user = make_user(org, role)
    assert login(user).get("/portal/stats/").status_code == status
    assert api_client(user).get("/api/stats/conversations").status_code == status


def test_sta1_every_tab_renders_with_tables_and_csv_links(week, admin, login, week_query):
    client = login(admin)
    for path, marker in (("/portal/stats/", b"table-per_channel"), ("/portal/stats/messages/",
                                                                       b"table-messages_distribution"),
                         ("/portal/stats/end-users/", b"table-per_end_user")):
        page = client.get(path, week_query)
        assert page.status_code == 200 and marker in page.content
        assert b"vendor/chart.umd.min.js" in page.content and b"export.csv?table=" in page.content
    assert b"9 min 30 s" in client.get("/portal/stats/end-users/", week_query).content  # Anna's 570 s


@pytest.mark.parametrize("key", ["per_channel", "per_topic", "by_hour", "by_weekday", "outcomes", "durations",
                                 "messages_distribution", "messages_by_sender", "first_response_distribution",
                                 "per_end_user"])
def test_sta3_every_table_exports_as_csv(week, admin, login, api_client, week_query, key):
    for response in (login(admin).get("/portal/stats/export.csv", {**week_query, "table": key}),
                     api_client(admin).get("/api/stats/export", {**week_query, "table": key})):
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert f"{key}_2026-03-01_2026-03-07.csv" in response["Content-Disposition"]
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(table) >= 2


def test_sta3_csv_matches_the_api_and_neutralises_formulas(week, admin, api_client, week_query):
    week["site"].name = "=HYPERLINK(\"x\")"
    week["site"].save()
    client = api_client(admin)
    response = client.get("/api/stats/export", {**week_query, "table": "per_channel"})
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table == [["Channel", "Conversations"], ["'=HYPERLINK(\"x\")", "2"], ["Shop", "1"]]


def test_sta3_unknown_table_is_404(admin, api_client):
    response = api_client(admin).get("/api/stats/export", {"table": "secrets"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_table"


def test_sta3_facts_follow_events_after_commit(org, always_open, channels, people, django_capture_on_commit_callbacks):
    """The event marks the conversation stale in its own transaction; the job after commit
    rebuilds it, so the facts are current without waiting for the dashboard."""
    from interact.connectors import webchat as connector
    from interact.conversations import services
    from interact.stats.models import ConversationFact, StaleFact

    site, _shop = channels
    visitor = connector.visitor_for(site, connector.identify(site))
    with django_capture_on_commit_callbacks(execute=True):
        conversation = services.receive_message(site, visitor, "Hi", client_id="x1").message.conversation
    assert ConversationFact.objects.get(pk=conversation.pk).closed is False
    assert not StaleFact.objects.exists()
    from interact.admin_portal.models import Skill
    from interact.stats.models import SkillFact

    people["anna"].skills.add(dutch := Skill.objects.create(organisation=org, name="Dutch"))
    with django_capture_on_commit_callbacks(execute=True):
        services.take(conversation, people["anna"])
        services.set_skills(conversation, [dutch], people["anna"])  # stays with Anna: conversation.updated
    assert list(SkillFact.objects.filter(conversation=conversation).values_list("skill_id", flat=True)) == [dutch.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reply(conversation, people["anna"], "Hello")
        services.end(conversation, people["anna"])
    fact = ConversationFact.objects.get(pk=conversation.pk)
    assert fact.closed and fact.resolver_id == people["anna"].pk and fact.messages == 2
    assert not StaleFact.objects.exists()


def test_sta3_rebuild_marks_again_on_failure(week, monkeypatch):
    from interact.stats import services
    from interact.stats.models import StaleFact

    def boom(conversation):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_rebuild", boom)
    with pytest.raises(RuntimeError):
        services.rebuild(week["c1"].pk)
    assert StaleFact.objects.filter(conversation_id=week["c1"].pk).exists()
    assert services.catch_up() == 0  # logged, and the others still go on


def test_sta3_rebuild_command_backfills_facts(week, org):
    from django.core.management import call_command

    from interact.stats.models import ConversationFact, HandlingFact, TopicFact

    ConversationFact.objects.all().delete()
    HandlingFact.objects.all().delete()
    TopicFact.objects.all().delete()
    call_command("stats_rebuild", organisation=org.pk)
    assert ConversationFact.objects.for_org(org).count() == 3
    assert HandlingFact.objects.for_org(org).count() == 3  # Anna ×2, Bert ×1
    assert TopicFact.objects.for_org(org).count() == 2
    fact = ConversationFact.objects.get(pk=week["c2"].pk)
    assert (fact.first_response, fact.first_response_bh, fact.wait, fact.wait_bh) == (1500, 600, 1020, 420)
    assert (fact.handling, fact.handling_bh, fact.resolution, fact.resolution_bh) == (1380, 180, 2400, 600)


def test_sta3_a_large_backlog_is_left_to_the_worker_and_said(week, org, admin, api_client, login, week_query,
                                                            monkeypatch):
    from interact.stats import services
    from interact.stats.models import StaleFact

    get(api_client(admin), "/api/stats/conversations", week_query)  # facts built
    monkeypatch.setattr(services, "REQUEST_CATCH_UP", 2)
    services.mark_all(org.pk)
    tab = get(api_client(admin), "/api/stats/conversations", week_query)
    assert tab["pending"] == 3 and rows(tab, "per_channel") == [["Site", 2], ["Shop", 1]]  # the facts stand
    assert b'id="stats-pending"' in login(admin).get("/portal/stats/", week_query).content
    services.catch_up()
    assert not StaleFact.objects.exists()
    assert get(api_client(admin), "/api/stats/conversations", week_query)["pending"] == 0


def test_sta3_a_few_stale_conversations_are_rebuilt_before_reading(week, org, admin, api_client, week_query):
    from interact.stats import services
    from interact.stats.models import ConversationFact

    get(api_client(admin), "/api/stats/conversations", week_query)
    ConversationFact.objects.filter(pk=week["c3"].pk).delete()
    services.mark_stale([week["c3"].pk], org.pk)
    tab = get(api_client(admin), "/api/stats/conversations", week_query)
    assert tab["pending"] == 0 and rows(tab, "per_channel") == [["Site", 2], ["Shop", 1]]
