"""PRV-5 / STO-3: the retention catalogue, the daily purge (due items only, in batches, idempotent,
reported), transcript retention per organisation, contract end + 30 days."""

from __future__ import annotations

import datetime as dt

import pytest

from interact.core import clock
from interact.privacy import retention, services
from interact.privacy.models import RetentionRun

T0 = dt.datetime(2025, 1, 6, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def ended(make_visitor, say):
    """Three conversations of three visitors, ended on days 0, 10 and 20."""
    from interact.conversations import services as conversations

    convs = []
    for day in (0, 10, 20):
        with clock.frozen(T0 + dt.timedelta(days=day)):
            visitor = make_visitor(first_name=f"Day{day}")
            message = say(visitor, f"text of day {day}")
            conversations.end(message.conversation, None)
            convs.append(message.conversation)
    return convs


def _bodies(convs):
    from interact.conversations.models import Message

    return [list(Message.objects.filter(conversation=c).values_list("body", flat=True)) for c in convs]


def test_prv5_the_catalogue_is_visible_in_the_portal(login, admin):
    page = login(admin).get("/portal/privacy/retention/")
    body = page.content.decode()
    assert page.status_code == 200
    for entry in retention.CATALOGUE:
        assert str(entry.label) in body
    assert "contract end" in body


def test_prv5_transcript_retention_purges_only_what_is_due_and_reports_it(org, ended):
    from interact.stats.models import ConversationFact

    row = retention.settings_of(org.pk)
    row.transcript_retention_days = 15
    row.save()
    facts = ConversationFact.objects.filter(organisation=org).count()
    run = retention.run_daily_purge(T0 + dt.timedelta(days=26))  # cutoff day 11: days 0 and 10 are due
    assert _bodies(ended) == [[""], [""], ["text of day 20"]]
    mine = run.report["organisations"][str(org.pk)]
    assert mine["transcript_messages"] == 2 and mine["transcript_conversations"] == 2
    assert ConversationFact.objects.filter(organisation=org).count() == facts  # statistics stay
    # The next day the last one is due too, and only it is touched.
    run = retention.run_daily_purge(T0 + dt.timedelta(days=36))
    assert run.report["organisations"][str(org.pk)]["transcript_messages"] == 1
    assert _bodies(ended) == [[""], [""], [""]]


def test_prv5_the_daily_job_runs_once_per_day(org, ended):
    row = retention.settings_of(org.pk)
    row.transcript_retention_days = 1
    row.save()
    first = retention.run_daily_purge(T0 + dt.timedelta(days=30))
    again = retention.run_daily_purge(T0 + dt.timedelta(days=30, hours=1))
    assert first.pk == again.pk and RetentionRun.objects.count() == 1


def test_prv5_a_purge_is_idempotent_and_resumes_in_batches(org, ended):
    cutoff = T0 + dt.timedelta(days=30)
    assert retention.purge_transcripts(org.pk, cutoff, batch=1)["messages"] == 3
    assert retention.purge_transcripts(org.pk, cutoff, batch=1)["messages"] == 0


def test_prv5_held_conversations_are_not_purged_until_the_hold_is_released(org, admin, ended):
    hold = services.place_hold(org, admin, visitor_id=ended[0].visitor_id, conversation_id=ended[0].pk,
                               reason="Dispute")
    counts = retention.purge_transcripts(org.pk, T0 + dt.timedelta(days=30))
    assert counts["held_conversations"] == 1 and _bodies(ended)[0] == ["text of day 0"]
    services.release_hold(hold, admin)
    retention.purge_transcripts(org.pk, T0 + dt.timedelta(days=30))
    assert _bodies(ended)[0] == [""]


def test_sto3_content_is_deleted_30_days_after_the_contract_ends(org, other_org, ended, make_visitor, say):
    from interact.conversations.models import Conversation, Visitor

    row = retention.settings_of(org.pk)
    row.contract_ends_on = dt.date(2025, 3, 1)
    row.save()
    retention.run_daily_purge(dt.datetime(2025, 3, 30, 4, 0, tzinfo=dt.UTC))
    assert Visitor.objects.for_org(org).count() == 3  # day 29: not yet
    run = retention.run_daily_purge(dt.datetime(2025, 3, 31, 4, 0, tzinfo=dt.UTC))
    assert Visitor.objects.for_org(org).count() == 0 and Conversation.objects.for_org(org).count() == 0
    assert run.report["organisations"][str(org.pk)]["content_visitors"] == 3


def test_prv5_raw_webhooks_and_old_packages_go_after_30_days(org, admin, make_visitor, say):
    from interact.connectors.models import FacebookPage, WebhookEvent
    from interact.privacy import packages

    page = FacebookPage.objects.create(organisation=org, page_id="42", name="P", access_token_encrypted="",
                                       app_secret_encrypted="", created_at=T0)
    old = WebhookEvent.objects.create(organisation=org, page=page, body=b"{}", received_at=T0, status="processed")
    pending = WebhookEvent.objects.create(organisation=org, page=page, body=b"{}", received_at=T0)
    with clock.frozen(T0):
        req = services.register_request(org, admin, kind="access", identifier_kind="email", identifier="a@b.test")
        services.verify_identity(req, admin, "registered_email")
        req = services.fulfil(req, admin)
    assert packages.file_of(req, "package.json")
    run = retention.run_daily_purge(T0 + dt.timedelta(days=31))
    assert not WebhookEvent.objects.filter(pk=old.pk).exists() and WebhookEvent.objects.filter(pk=pending.pk).exists()
    assert packages.file_of(req, "package.json") is None
    assert run.report["totals"]["packages"] == 1 and run.report["totals"]["raw_webhooks"] == 1
