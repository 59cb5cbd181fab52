"""CHN-1: the identity-verification secret is shown to Administrators and can be replaced; a
replaced secret stops old signatures from verifying."""

from __future__ import annotations

import pytest

from interact.connectors import webchat
from interact.connectors.models import Channel, ChannelKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(org):
    return Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Site")


def test_chn1_admin_sees_the_secret_on_the_snippet_page_and_rotates_it(channel, admin, login):
    client = login(admin)
    page = client.get(f"/portal/channels/{channel.pk}/snippet/").content.decode()
    assert channel.identity_secret in page
    old_signature = webchat.identity_signature(channel, "customer-42")
    response = client.post(f"/portal/channels/{channel.pk}/identity-secret/")
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.identity_secret not in page
    with pytest.raises(webchat.IdentityRejected):
        webchat.identify(channel, identifier="customer-42", signature=old_signature)
    fresh = webchat.identify(channel, identifier="customer-42",
                             signature=webchat.identity_signature(channel, "customer-42"))
    assert fresh.verified


def test_chn1_secret_through_the_api_and_refused_to_agents(channel, admin, make_user, api_client):
    api = api_client(admin)
    shown = api.get(f"/api/channels/{channel.pk}/identity-secret").json()
    assert shown == {"channel": channel.pk, "secret": channel.identity_secret}
    rotated = api.post(f"/api/channels/{channel.pk}/identity-secret").json()
    assert rotated["secret"] != shown["secret"]
    agent_api = api_client(make_user(admin.organisation, "agent"))
    assert agent_api.get(f"/api/channels/{channel.pk}/identity-secret").status_code == 403


def test_chn1_secret_needs_the_sdk_option(make_org, api_client):
    org = make_org(plan="pro", options=())
    channel = Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Site")
    owner = org.users.get(org_profile="access_owner")
    response = api_client(owner).get(f"/api/channels/{channel.pk}/identity-secret")
    assert response.status_code == 403 and response.json()["error"]["code"] == "plan_required"
