"""ADM-4: channels — the supported list, website chat channels, away messages, allowed websites,
members, and the embed snippet gated by the SDK option (TEN-2)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from interact.connectors import services
from interact.connectors.models import Channel
from interact.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def _channel(org, name="Website", **kw):
    return services.save_channel(org, services.ChannelData(name=name, **kw))


def _json(client, method, path, body=None):
    return getattr(client, method)(path, data=json.dumps(body) if body is not None else None,
                                   content_type="application/json")


@pytest.mark.parametrize("raw, origin", [
    ("https://www.example.be", "https://www.example.be"),
    ("HTTPS://Shop.Example.BE/", "https://shop.example.be"),
    ("http://localhost:8080", "http://localhost:8080"),
    ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
])
def test_adm4_origin_normalised(raw, origin):
    assert services.normalise_origin(raw) == origin


@pytest.mark.parametrize("raw", [
    "www.example.be", "ftp://example.be", "https://example.be/path", "https://example.be?x=1",
    "https://user@example.be", "https://example", "https://exa mple.be", "https://example.be:99999",
    "javascript:alert(1)", "https://-bad-.be", "http://999.1.1.1", "https://example.be#top",
])
def test_adm4_origin_refused(raw):
    with pytest.raises(ValueError):
        services.normalise_origin(raw)


# --- pages --------------------------------------------------------------------------------------


def test_adm4_channels_page_shows_supported_list(org, admin, login):
    body = login(admin).get("/portal/channels/").content.decode()
    for label in ("Website chat", "Facebook Messenger", "Facebook Page comments"):
        assert label in body
    assert "Connect a Facebook Page" in body  # CHN-2: both Facebook channels come from a Page connection
    assert "not connected" in body


def test_adm4_create_edit_delete_webchat_channel(org, admin, login, make_user):
    agent = make_user(org, "agent")
    client = login(admin)
    assert client.get("/portal/channels/new/").status_code == 200
    response = client.post("/portal/channels/new/", {
        "name": "Shop chat", "away_message": "We are closed, back tomorrow at 9.",
        "allowed_origins": "https://www.shop.be\n\nhttps://shop.be/\nhttps://www.shop.be", "members": [agent.pk]})
    assert response.status_code == 302
    channel = Channel.objects.for_org(org).get(name="Shop chat")
    assert channel.kind == "webchat"
    assert channel.allowed_origins == "https://www.shop.be\nhttps://shop.be"
    assert list(channel.members.all()) == [agent]
    assert "Shop chat" in client.get("/portal/channels/").content.decode()
    edit = client.post(f"/portal/channels/{channel.pk}/", {"name": "Shop", "away_message": "", "allowed_origins": ""})
    assert edit.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "Shop" and channel.members.count() == 0 and channel.allowed_origins == ""
    assert client.get(f"/portal/channels/{channel.pk}/delete/").status_code == 200
    assert client.post(f"/portal/channels/{channel.pk}/delete/").status_code == 302
    assert not Channel.objects.filter(pk=channel.pk).exists()


def test_adm4_channel_form_validation(org, admin, login, other_org, make_user):
    client = login(admin)
    bad_origin = client.post("/portal/channels/new/", {"name": "Chat", "allowed_origins": "shop.be"})
    assert bad_origin.status_code == 400 and "is not a website address" in bad_origin.content.decode()
    too_long = client.post("/portal/channels/new/", {"name": "Chat", "away_message": "x" * 1001})
    assert too_long.status_code == 400
    assert client.post("/portal/channels/new/", {"name": ""}).status_code == 400
    foreign = make_user(other_org, "agent")
    assert client.post("/portal/channels/new/", {"name": "Chat", "members": [foreign.pk]}).status_code == 400
    assert not Channel.objects.for_org(org).exists()


@pytest.mark.parametrize("role", ["agent", "supervisor", "analyst"])
def test_adm4_pages_forbidden_without_channels_manage(org, make_user, login, role):
    channel = _channel(org)
    client = login(make_user(org, role))
    assert client.get("/portal/channels/").status_code == 403
    assert client.post("/portal/channels/new/", {"name": "X"}).status_code == 403
    assert client.post(f"/portal/channels/{channel.pk}/delete/").status_code == 403
    assert client.get(f"/portal/channels/{channel.pk}/snippet/").status_code == 403
    assert Channel.objects.filter(pk=channel.pk).exists()


def test_adm4_other_organisation_channel_is_404(other_org, admin, login):
    foreign = _channel(other_org, "Theirs")
    client = login(admin)
    assert client.get(f"/portal/channels/{foreign.pk}/").status_code == 404
    assert client.post(f"/portal/channels/{foreign.pk}/", {"name": "Mine"}).status_code == 404
    assert client.post(f"/portal/channels/{foreign.pk}/delete/").status_code == 404
    assert client.get(f"/portal/channels/{foreign.pk}/snippet/").status_code == 404
    assert "Theirs" not in client.get("/portal/channels/").content.decode()
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"


def test_ten2_adm4_snippet_with_sdk_option(org, admin, login):
    channel = _channel(org)
    response = login(admin).get(f"/portal/channels/{channel.pk}/snippet/")
    assert response.status_code == 200
    expected = (f'<script type="module" src="{settings.PUBLIC_URL}/static/widget/interact-widget.js" '
                f'data-channel="{channel.public_key}"></script>')
    from html import unescape
    assert expected in unescape(response.content.decode())


def test_ten2_adm4_snippet_without_sdk_is_403_naming_the_option(make_org, login, api_client):
    org = make_org(plan="pro", options=())
    admin = org.users.get(org_profile="access_owner")
    channel = _channel(org)
    client = login(admin)
    page = client.get(f"/portal/channels/{channel.pk}/snippet/")
    assert page.status_code == 403 and "SDK" in page.content.decode()
    listing = client.get("/portal/channels/").content.decode()
    assert "/snippet/" not in listing and "needs the #Interact SDK option" in listing
    api = api_client(admin).get(f"/api/channels/{channel.pk}/snippet")
    assert api.status_code == 403
    error = api.json()["error"]
    assert error["code"] == "plan_required" and error["required_option"] == "sdk"


# --- API ------------------------------------------------------------------------------------------


def test_adm4_api_crud(org, admin, api_client, make_user):
    agent = make_user(org, "agent")
    client = api_client(admin)
    supported = client.get("/api/channels/supported").json()
    assert [c["kind"] for c in supported] == ["webchat", "messenger", "page_comments"]
    assert [c["available"] for c in supported] == [True, True, True]
    created = _json(client, "post", "/api/channels", {
        "name": "Shop chat", "away_message": "Back at 9", "allowed_origins": ["https://Shop.be/"],
        "members": [agent.pk]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "webchat" and body["allowed_origins"] == ["https://shop.be"]
    assert body["members"] == [agent.pk] and body["is_connected"] is True
    channel_id = body["id"]
    assert [c["id"] for c in client.get("/api/channels").json()] == [channel_id]
    updated = _json(client, "put", f"/api/channels/{channel_id}", {"name": "Shop", "away_message": "Closed"})
    assert updated.status_code == 200 and updated.json()["members"] == [] and updated.json()["away_message"] == "Closed"
    snippet = client.get(f"/api/channels/{channel_id}/snippet").json()["snippet"]
    assert f'data-channel="{body["public_key"]}"' in snippet and snippet.startswith('<script type="module"')
    assert client.delete(f"/api/channels/{channel_id}").status_code == 204
    assert client.get(f"/api/channels/{channel_id}").status_code == 404


def test_adm4_api_refuses_facebook_and_bad_input(org, other_org, admin, api_client, make_user):
    client = api_client(admin)
    facebook = _json(client, "post", "/api/channels", {"name": "FB", "kind": "messenger"})
    assert facebook.status_code == 400 and facebook.json()["error"]["code"] == "connector_unavailable"
    assert _json(client, "post", "/api/channels", {"name": "X", "kind": "sms"}).json()["error"]["code"] \
        == "invalid_kind"
    origin = _json(client, "post", "/api/channels", {"name": "X", "allowed_origins": ["https://a.be/path"]})
    assert origin.status_code == 400 and origin.json()["error"]["code"] == "invalid_origin"
    foreign = make_user(other_org, "agent")
    member = _json(client, "post", "/api/channels", {"name": "X", "members": [foreign.pk]})
    assert member.status_code == 400 and member.json()["error"]["code"] == "unknown_user"
    for body in ({"name": "X", "away_message": "x" * 1001}, {"name": ""}, {},
                 {"name": "X", "allowed_origins": "https://a.be"}, {"name": "X", "members": [True, "a"]}):
        assert _json(client, "post", "/api/channels", body).status_code == 422
    assert not Channel.objects.for_org(org).exists()


def test_adm4_api_forbidden_and_isolated(org, other_org, admin, api_client, make_user):
    foreign = _channel(other_org, "Theirs")
    client = api_client(admin)
    assert client.get("/api/channels").json() == []
    assert client.get(f"/api/channels/{foreign.pk}").status_code == 404
    assert _json(client, "put", f"/api/channels/{foreign.pk}", {"name": "Mine"}).status_code == 404
    assert client.delete(f"/api/channels/{foreign.pk}").status_code == 404
    assert client.get(f"/api/channels/{foreign.pk}/snippet").status_code == 404
    agent = api_client(make_user(org, "agent"))
    assert agent.get("/api/channels").status_code == 403
    assert _json(agent, "post", "/api/channels", {"name": "X"}).status_code == 403
    assert Channel.objects.for_org(other_org).get().name == "Theirs"


def test_adm4_service_too_many_origins(org):
    with pytest.raises(ServiceError) as exc:
        _channel(org, allowed_origins=[f"https://s{i}.example.be" for i in range(21)])
    assert exc.value.code == "too_many_origins"
