"""Facebook in Debian's Chromium (CHN-2, CHN-3): an Administrator connects a Page and reads the
webhook settings; a signed Messenger webhook posted to the real server shows up live in the
inbox; the agent's reply leaves through the (fake) Send API; an expired token shows on the
failed message and on the channel."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from tests.fakes.graph import FakeGraph, start

pytestmark = pytest.mark.browser
PAGE_ID = "104857600123"
TOKEN = "EAAGm0PX4ZCpsBAFakePageAccessToken123456"
APP_SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def graph(settings):
    fake = FakeGraph()
    server, _thread = start(fake)
    settings.GRAPH_API_URL = fake.url
    fake.add_page(PAGE_ID, TOKEN, "Boulangerie Dupont")
    fake.profiles["8001"] = {"first_name": "Sofie", "last_name": "Claes"}
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_all_week(org):
    import datetime as dt

    from interact.admin_portal.models import OfficeHoursPeriod

    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(0, 0), closes=dt.time(23, 59))


def _signed_post(base: str, key: str, messaging: list[dict]) -> httpx.Response:
    from interact.connectors import meta

    body = json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": int(time.time() * 1000),
                                                   "messaging": messaging}]}).encode()
    return httpx.post(f"{base}/webhooks/facebook/{key}/", content=body, timeout=10,
                      headers={"Content-Type": "application/json", meta.SIGNATURE_HEADER: meta.sign(APP_SECRET, body)})


def test_chn2_connect_a_page_receive_live_reply_and_see_a_failure(live_page, graph, org, admin, open_all_week,
                                                                   shot, sign_in):
    from interact.connectors.models import FacebookPage

    page = live_page
    sign_in(page, admin.email)
    page.goto(page.base + "/portal/channels/")
    page.click("text=Connect a Facebook Page")
    page.fill("input[name=page_id]", PAGE_ID)
    page.fill("input[name=access_token]", TOKEN)
    page.fill("input[name=app_secret]", APP_SECRET)
    shot(page, "facebook-connect-form")
    page.click("main button:has-text('Connect')")
    page.wait_for_selector("[data-testid=webhook-url]")
    connection = FacebookPage.objects.get()
    assert connection.webhook_key in page.text_content("[data-testid=webhook-url]")
    assert page.text_content("[data-testid=verify-token]") == connection.verify_token
    assert TOKEN not in page.content()
    shot(page, "facebook-page-webhook")

    page.goto(page.base + "/portal/inbox/")
    page.wait_for_selector("#live-state[data-state=live]")
    now = int(time.time() * 1000)
    answer = _signed_post(page.base, connection.webhook_key, [
        {"sender": {"id": "8001"}, "recipient": {"id": PAGE_ID}, "timestamp": now,
         "message": {"mid": "m_browser1", "text": "Hallo! Hebben jullie glutenvrij brood?"}},
        {"sender": {"id": "8001"}, "recipient": {"id": PAGE_ID}, "timestamp": now + 1,
         "message": {"mid": "m_browser2", "attachments": [
             {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/brood.jpg"}}]}},
    ])
    assert answer.status_code == 200 and answer.text == "EVENT_RECEIVED"
    forged = httpx.post(f"{page.base}/webhooks/facebook/{connection.webhook_key}/", content=b"{}",
                        headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}, timeout=10)
    assert forged.status_code == 403

    item = page.wait_for_selector('.conv-item[data-section="queue"]')
    assert "Sofie Claes" in item.text_content()
    item.click()
    page.wait_for_url(re.compile(r".*/portal/inbox/\d+/$"))
    page.wait_for_selector("text=glutenvrij")
    assert page.locator("text=Open the attachment").count() == 1
    page.click("button[data-action=take]")
    page.wait_for_selector("#composer textarea")
    page.fill("#composer textarea", "Ja, elke zaterdag!")
    page.press("#composer textarea", "Enter")
    page.wait_for_selector(".msg-agent >> text=elke zaterdag")
    page.wait_for_selector(".msg-agent .delivery-sent")
    sent = graph.sent(f"{PAGE_ID}/messages")
    assert sent and sent[-1].body["message"]["text"] == "Ja, elke zaterdag!"
    shot(page, "facebook-inbox-reply")

    # Live, while the pane is open: an attachment, and a message Meta delivers late (written
    # before the reply) lands in its place, not at the bottom.
    page.wait_for_timeout(300)
    late = _signed_post(page.base, connection.webhook_key, [
        {"sender": {"id": "8001"}, "recipient": {"id": PAGE_ID}, "timestamp": now + 2,
         "message": {"mid": "m_browser_late", "text": "(written earlier) En taart?"}}])
    assert late.status_code == 200
    page.wait_for_selector("text=(written earlier) En taart?")
    bodies = page.locator("#messages .msg-body").all_text_contents()
    assert bodies.index("(written earlier) En taart?") < bodies.index("Ja, elke zaterdag!")
    _signed_post(page.base, connection.webhook_key, [
        {"sender": {"id": "8001"}, "recipient": {"id": PAGE_ID}, "timestamp": int(time.time() * 1000),
         "message": {"mid": "m_browser3", "attachments": [
             {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/bestelling.pdf"}}]}}])
    page.wait_for_function("document.querySelectorAll('.msg-extra a').length === 2")

    graph.fail_next("token_expired")
    page.fill("#composer textarea", "En op zondag ook.")
    page.press("#composer textarea", "Enter")
    page.wait_for_selector(".msg-failed >> text=Reconnect the Facebook Page")
    shot(page, "facebook-inbox-failed")
    page.goto(page.base + "/portal/channels/")
    assert "expired" in page.text_content("section[data-kind=messenger]")
    shot(page, "facebook-channel-error")
