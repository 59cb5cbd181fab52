"""IAM-3 / IAM-6 / TEN-2 on websockets: who may connect, deactivation closes sockets, plan gate frames."""

from __future__ import annotations

import json

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

from interact.core.gates import FeatureGateMixin
from interact.core.plans import Feature

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _communicator(app, url, user=None):
    communicator = WebsocketCommunicator(app, url)
    if user is not None:
        communicator.scope["user"] = user
    return communicator


async def test_iam3_anonymous_socket_is_refused():
    from django.contrib.auth.models import AnonymousUser

    from interact.core.consumers import PortalEventsConsumer

    comm = _communicator(PortalEventsConsumer.as_asgi(), "/ws/portal/", AnonymousUser())
    connected, code = await comm.connect()
    assert not connected and code == 4403


async def test_iam6_deactivated_users_sockets_are_closed(admin_async):
    from asgiref.sync import sync_to_async

    from interact.accounts import services
    from interact.core.consumers import PortalEventsConsumer

    admin, agent = admin_async
    comm = _communicator(PortalEventsConsumer.as_asgi(), "/ws/portal/", agent)
    connected, _ = await comm.connect()
    assert connected
    assert json.loads(await comm.receive_from())["type"] == "hello"
    await comm.send_to(text_data="{not json")
    assert json.loads(await comm.receive_from())["code"] == "bad_frame"
    await sync_to_async(services.set_active)(admin, agent, False)
    output = await comm.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4401}


class _SdkOnly(FeatureGateMixin, AsyncWebsocketConsumer):
    required_feature = Feature.SDK

    async def connect(self):
        if await self.refuse_unless_feature(self.scope["organisation"]):
            await self.accept()


async def test_ten2_socket_gate_names_the_missing_option(orgs_async):
    without, with_sdk = orgs_async
    comm = WebsocketCommunicator(_SdkOnly.as_asgi(), "/x/")
    comm.scope["organisation"] = without
    connected, _ = await comm.connect()
    frame = json.loads(await comm.receive_from())
    assert frame["error"]["code"] == "plan_required" and frame["error"]["required_option"] == "sdk"
    assert (await comm.receive_output(timeout=2))["code"] == 4403
    ok = WebsocketCommunicator(_SdkOnly.as_asgi(), "/x/")
    ok.scope["organisation"] = with_sdk
    connected, _ = await ok.connect()
    assert connected
    await ok.disconnect()


@pytest.fixture
def admin_async(admin, make_user, org):
    return admin, make_user(org)


@pytest.fixture
def orgs_async(make_org):
    return make_org(plan="pro", options=()), make_org(plan="hub", options=("sdk",))

