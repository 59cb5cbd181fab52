"""CHN-2, CNV-10: Meta's webhook — verification, signature over the raw body, durable storage
before the 200, idempotent processing, and clear 4xx for bad input with no side effect."""

from __future__ import annotations

import json

import pytest

from interact.connectors import meta
from interact.connectors.models import WebhookEvent, WebhookStatus
from interact.conversations.models import Conversation, Message

from .conftest import APP_SECRET, PAGE_ID, page_body, text_event

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # the async view reads through its own connection on PostgreSQL
def test_chn2_verification_challenge_echoes_only_with_the_right_token(client, fb_page):
    url = f"/webhooks/facebook/{fb_page.webhook_key}/"
    ok = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": fb_page.verify_token,
                          "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "invalid_verify_token"
    assert client.get("/webhooks/facebook/nope/", {"hub.mode": "subscribe"}).status_code == 404


def test_chn2_the_page_connection_stores_secrets_encrypted_and_lists_two_channels(fb_page, graph):
    assert TOKEN_NOT_IN(fb_page.access_token_encrypted) and APP_SECRET not in fb_page.app_secret_encrypted
    assert fb_page.app_secret == APP_SECRET
    assert sorted(fb_page.channels.values_list("kind", flat=True)) == ["messenger", "page_comments"]
    assert graph.sent("/subscribed_apps"), "the app is subscribed to the Page's webhooks at connection"


def TOKEN_NOT_IN(ciphertext: str) -> bool:  # noqa: N802
    from .conftest import TOKEN

    return TOKEN not in ciphertext and ciphertext.startswith("fernet:")


def test_chn2_a_signed_message_is_stored_then_processed_into_a_conversation(deliver, messenger):
    answer = deliver(page_body(messaging=[text_event("2001", "Bonjour, vous livrez le dimanche ?",
                                                     mid="m_abc")]))
    assert answer.status == 200 and answer.body == "EVENT_RECEIVED"
    event = WebhookEvent.objects.get()
    assert event.status == WebhookStatus.PROCESSED and b"m_abc" in bytes(event.body)
    message = Message.objects.get(external_id="m_abc")
    assert message.channel == messenger and message.body == "Bonjour, vous livrez le dimanche ?"
    assert message.conversation.visitor.external_id == "2001"


def test_cnv10_the_same_event_delivered_five_times_makes_one_message(deliver):
    body = page_body(messaging=[text_event("2001", "Once", mid="m_once")])
    for _ in range(5):
        assert deliver(body).status == 200
    assert Message.objects.filter(external_id="m_once").count() == 1
    assert WebhookEvent.objects.count() == 5  # every delivery is kept as received


@pytest.mark.parametrize("signature, status, code", [
    (None, 401, "missing_signature"),
    ("sha256=" + "0" * 64, 403, "invalid_signature"),
    ("sha1=abcdef", 403, "invalid_signature"),
])
def test_chn2_forged_or_missing_signatures_are_refused_without_side_effect(fb_page, signature, status, code,
                                                                           caplog):
    from interact.connectors import webhooks

    body = page_body(messaging=[text_event("2001", "forged")])
    answer = webhooks.receive(fb_page.webhook_key, body, signature)
    assert (answer.status, answer.body["error"]["code"]) == (status, code)
    assert not WebhookEvent.objects.exists() and not Message.objects.exists()
    assert any("signature" in r.getMessage() for r in caplog.records)


def test_chn2_the_signature_is_over_the_raw_bytes(fb_page):
    """Re-serialising the JSON (other spacing) must not verify: the check is on the bytes Meta sent."""
    from interact.connectors import webhooks

    body = page_body(messaging=[text_event("2001", "raw")])
    reformatted = json.dumps(json.loads(body), indent=2).encode()
    answer = webhooks.receive(fb_page.webhook_key, reformatted, meta.sign(APP_SECRET, body))
    assert answer.status == 403


@pytest.mark.parametrize("body, status, code", [
    (b"{not json", 400, "malformed_json"),
    (json.dumps({"object": "instagram", "entry": []}).encode(), 422, "unsupported_object"),
    (json.dumps({"object": "page", "entry": []}).encode(), 422, "no_entries"),
    (page_body(messaging=[], page_id="999"), 422, "unknown_page"),
])
def test_chn2_bad_bodies_get_a_clear_4xx_and_store_nothing(fb_page, body, status, code):
    from interact.connectors import webhooks

    answer = webhooks.receive(fb_page.webhook_key, body, meta.sign(APP_SECRET, body))
    assert (answer.status, answer.body["error"]["code"]) == (status, code)
    assert not WebhookEvent.objects.exists()


def test_chn2_oversized_payloads_are_refused(fb_page):
    from interact.connectors import webhooks

    body = b"x" * (webhooks.MAX_BODY_BYTES + 1)
    assert webhooks.receive(fb_page.webhook_key, body, meta.sign(APP_SECRET, body)).status == 413


@pytest.mark.django_db(transaction=True)
def test_chn2_over_http_signed_post_is_acknowledged_and_forged_one_refused(client, graph, org, admin):
    """The real endpoint, through Django's request handling (async view, CSRF-exempt)."""
    from interact.connectors import services

    page = services.connect_page(org, services.PageData(page_id=PAGE_ID, access_token=next(iter(graph.pages)),
                                                        app_secret=APP_SECRET))
    url = f"/webhooks/facebook/{page.webhook_key}/"
    body = page_body(messaging=[text_event("2002", "Over HTTP", mid="m_http")])
    forged = client.post(url, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256="sha256=00")
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "invalid_signature"
    ok = client.post(url, body, content_type="application/json",
                     HTTP_X_HUB_SIGNATURE_256=meta.sign(APP_SECRET, body))
    assert ok.status_code == 200 and ok.content == b"EVENT_RECEIVED"
    assert Message.objects.filter(external_id="m_http").count() == 1
    assert client.put(url, body, content_type="application/json").status_code == 405


def test_cnv10_a_failing_event_stays_stored_and_is_retried(deliver, monkeypatch):
    from interact.connectors import messenger, tasks

    calls = []

    def broken(page, item):
        calls.append(item)
        raise RuntimeError("database went away")

    monkeypatch.setattr(messenger, "handle", broken)
    body = page_body(messaging=[text_event("2001", "Kept", mid="m_kept")])
    assert deliver(body).status == 200
    event = WebhookEvent.objects.get()
    assert event.status == WebhookStatus.PENDING and event.attempts == 1 and "database went away" in event.error
    monkeypatch.undo()
    tasks.process_webhook_event.call_local(event.pk)
    event.refresh_from_db()
    assert event.status == WebhookStatus.PROCESSED
    assert Message.objects.filter(external_id="m_kept").count() == 1


def test_chn2_out_of_order_events_keep_the_order_people_wrote_in(deliver):
    from .conftest import now_ms

    t = now_ms() - 60_000
    deliver(page_body(messaging=[text_event("2001", "second", mid="m_2", ts=t + 2000)]))
    deliver(page_body(messaging=[text_event("2001", "first", mid="m_1", ts=t + 1000)]))
    deliver(page_body(messaging=[text_event("2001", "third", mid="m_3", ts=t + 3000)]))
    conversation = Conversation.objects.get()
    assert [m.body for m in conversation.messages.order_by("created_at", "id")] == ["first", "second", "third"]


def test_chn2_a_page_of_another_organisation_cannot_be_connected_twice(graph, org, other_org, fb_page):
    from interact.connectors import services
    from interact.core.errors import ServiceError

    from .conftest import TOKEN

    with pytest.raises(ServiceError) as refused:
        services.connect_page(other_org, services.PageData(page_id=PAGE_ID, access_token=TOKEN,
                                                           app_secret=APP_SECRET))
    assert refused.value.code == "page_already_connected"


def test_cnv10_an_event_whose_job_was_lost_is_picked_up_by_the_sweep(fb_page):
    """A crash between the 200 and the job leaves the event pending; the minute sweep finds it."""
    import datetime as dt

    from interact.connectors import tasks
    from interact.core import clock

    body = page_body(messaging=[text_event("2001", "Lost job", mid="m_lost")])
    event = WebhookEvent.objects.create(organisation=fb_page.organisation, page=fb_page, body=body,
                                        received_at=clock.now() - dt.timedelta(minutes=5))
    fresh = WebhookEvent.objects.create(organisation=fb_page.organisation, page=fb_page, body=body,
                                        received_at=clock.now())
    tasks.process_stale_webhook_events.call_local()
    event.refresh_from_db()
    fresh.refresh_from_db()
    assert event.status == WebhookStatus.PROCESSED and fresh.status == WebhookStatus.PENDING
    assert Message.objects.filter(external_id="m_lost").count() == 1


def test_cnv10_an_app_secret_that_no_longer_decrypts_gets_503_not_500(fb_page, settings):
    """The operator lost the encryption key: nothing can be verified, so nothing is accepted, and
    Meta is told to come back (503) instead of the event being refused for good."""
    from cryptography.fernet import Fernet

    from interact.connectors import webhooks

    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    webhooks.forget_connection(fb_page.webhook_key)
    body = page_body(messaging=[text_event("2001", "x")])
    answer = webhooks.receive(fb_page.webhook_key, body, meta.sign(APP_SECRET, body))
    assert answer.status == 503 and answer.body["error"]["code"] == "secret_unavailable"
    assert not WebhookEvent.objects.exists()
