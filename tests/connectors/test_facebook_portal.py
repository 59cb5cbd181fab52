"""CHN-2, CHN-3: connecting a Facebook Page in the portal and through the API; what the
Administrator sees (webhook URL, verify token, channel errors) and never sees (the secrets)."""

from __future__ import annotations

import pytest

from interact.connectors.models import Channel, FacebookPage

from .conftest import APP_SECRET, PAGE_ID, TOKEN

pytestmark = pytest.mark.django_db


def test_chn2_an_administrator_connects_a_page_and_gets_the_webhook_settings(graph, org, admin, login):
    client = login(admin)
    answer = client.post("/portal/channels/facebook/new/", {"page_id": PAGE_ID, "access_token": TOKEN,
                                                            "app_secret": APP_SECRET, "name": ""})
    page = FacebookPage.objects.get()
    assert answer.status_code == 302 and answer.url.endswith(f"/facebook/{page.pk}/")
    body = client.get(answer.url).content.decode()
    assert page.name == "Boulangerie Dupont"
    assert f"/webhooks/facebook/{page.webhook_key}/" in body and page.verify_token in body
    assert TOKEN not in body and APP_SECRET not in body
    listing = client.get("/portal/channels/").content.decode()
    for kind in ("Facebook Messenger", "Facebook Page comments"):
        assert f"Boulangerie Dupont · {kind}" in listing


@pytest.mark.parametrize("field, value, message", [
    ("page_id", "my-page", "A Page id is a number"),
    ("app_secret", "not-hex", "32 hexadecimal"),
    ("access_token", "short", "Paste the Page access token"),
])
def test_chn2_bad_connection_data_is_refused_with_the_reason(graph, org, admin, login, field, value, message):
    data = {"page_id": PAGE_ID, "access_token": TOKEN, "app_secret": APP_SECRET, field: value}
    answer = login(admin).post("/portal/channels/facebook/new/", data)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not FacebookPage.objects.exists() and not graph.calls


def test_chn2_a_token_of_another_page_or_meta_down_is_said_at_connection(graph, org, admin, login):
    graph.add_page("999", "EAAOtherPagesToken81726354abcdefgh", "Other")
    client = login(admin)
    other = client.post("/portal/channels/facebook/new/", {"page_id": PAGE_ID, "app_secret": APP_SECRET,
                                                           "access_token": "EAAOtherPagesToken81726354abcdefgh"})
    assert other.status_code == 400 and "belongs to another Page" in other.content.decode()
    graph.fail_next("outage")
    down = client.post("/portal/channels/facebook/new/", {"page_id": PAGE_ID, "access_token": TOKEN,
                                                          "app_secret": APP_SECRET})
    assert down.status_code == 400 and "could not be reached" in down.content.decode()
    assert not FacebookPage.objects.exists()


def test_chn3_the_channel_error_shows_on_the_channels_page_and_clears_on_reconnect(fb_page, graph, admin, login):
    from interact.connectors.services import record_channel_error

    messenger = fb_page.channels.get(kind="messenger")
    record_channel_error(messenger.pk, "The Page access token expired or was revoked.")
    client = login(admin)
    assert "The Page access token expired or was revoked." in client.get("/portal/channels/").content.decode()
    assert "expired" in client.get(f"/portal/channels/facebook/{fb_page.pk}/").content.decode()
    graph.add_page(PAGE_ID, "EAANewTokenAfterExpiry918273645ab")
    answer = client.post(f"/portal/channels/facebook/{fb_page.pk}/",
                         {"access_token": "EAANewTokenAfterExpiry918273645ab", "app_secret": APP_SECRET})
    assert answer.status_code == 302
    messenger.refresh_from_db()
    fb_page.refresh_from_db()
    assert messenger.last_error == "" and fb_page.access_token == "EAANewTokenAfterExpiry918273645ab"


def test_chn2_disconnecting_keeps_the_conversations_and_stops_the_webhook(fb_page, deliver, admin, login,
                                                                           always_open):
    from interact.connectors import webhooks
    from interact.conversations.models import Conversation

    from .conftest import page_body, text_event

    deliver(page_body(messaging=[text_event("5001", "Hi")]))
    key = fb_page.webhook_key
    assert login(admin).post(f"/portal/channels/facebook/{fb_page.pk}/disconnect/").status_code == 302
    assert Conversation.objects.count() == 1 and not FacebookPage.objects.exists()
    assert not Channel.objects.get(kind="messenger").is_connected
    assert webhooks.receive(key, b"{}", "sha256=00").status == 404


def test_chn2_api_connect_list_reconnect_disconnect_never_returns_secrets(graph, org, admin, api_client, make_user):
    api = api_client(admin)
    created = api.post("/api/facebook/pages", {"page_id": PAGE_ID, "access_token": TOKEN, "app_secret": APP_SECRET},
                       content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["webhook_url"].endswith(f"/webhooks/facebook/{FacebookPage.objects.get().webhook_key}/")
    assert len(data["channels"]) == 2 and "messages" in data["subscribed_fields"]
    assert TOKEN not in created.content.decode() and APP_SECRET not in created.content.decode()
    again = api.post("/api/facebook/pages", {"page_id": PAGE_ID, "access_token": TOKEN, "app_secret": APP_SECRET},
                     content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "page_already_connected"
    assert [p["page_id"] for p in api.get("/api/facebook/pages").json()] == [PAGE_ID]
    channels = api.get("/api/channels").json()
    assert {c["kind"] for c in channels} == {"messenger", "page_comments"} and all("last_error" in c for c in channels)
    bad = api.put(f"/api/facebook/pages/{data['id']}", {"access_token": TOKEN, "app_secret": "zz"},
                  content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_app_secret"
    agent = make_user(org, "agent")
    assert api_client(agent).get("/api/facebook/pages").status_code == 403
    assert api.delete(f"/api/facebook/pages/{data['id']}").status_code == 204
    assert api.get("/api/facebook/pages").json() == []


def test_chn2_chn3_the_inbox_shows_facebook_content_and_the_failed_reply(deliver, graph, org, admin, login,
                                                                          always_open):
    from interact.conversations import services, tasks
    from interact.conversations.models import Conversation

    from .conftest import now_ms, page_body, text_event

    deliver(page_body(messaging=[
        text_event("7001", "Photo of the cake", mid="m_a", attachments=[
            {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/cake.jpg"}}]),
        {"sender": {"id": "7001"}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms(),
         "postback": {"title": "Talk to a person", "payload": "HUMAN", "mid": "m_pb2"}},
    ]))
    conversation = Conversation.objects.get()
    services.take(conversation, admin)
    reply = services.send_reply(conversation, admin, "Lovely!")
    graph.fail_next("token_expired")
    tasks.deliver_message.call_local(reply.pk)
    body = login(admin).get(f"/portal/inbox/{conversation.pk}/").content.decode()
    assert "https://scontent.xx.fbcdn.net/cake.jpg" in body and "Button" in body and "HUMAN" in body
    assert "Reconnect the Facebook Page" in body and "Send again" in body
    assert 'data-testid="channel-error"' in body  # CHN-3: the channel's error, above the conversation
