"""CHN-4: a new channel is one module implementing the connector interface; the engine, routing,
inbox and delivery jobs work for it unchanged."""

from __future__ import annotations

from typing import ClassVar

import pytest

from interact.connectors import base

pytestmark = pytest.mark.django_db


class OutboxConnector:
    """A whole connector for an imaginary SMS transport: inbound calls receive_message, outbound
    lands in an outbox list standing for the SMS gateway."""

    kind: ClassVar[str] = "sms_test"
    supports_bots: ClassVar[bool] = False

    def __init__(self):
        self.outbox: list[tuple[str, str]] = []

    def inbound(self, channel, phone: str, text: str, sms_id: str):
        from interact.conversations import services
        from interact.conversations.models import Visitor
        from interact.core import clock

        visitor, _ = Visitor.objects.get_or_create(
            channel=channel, external_id=phone,
            defaults={"organisation_id": channel.organisation_id, "created_at": clock.now(),
                      "last_seen_at": clock.now(), "display_name": phone})
        return services.receive_message(channel, visitor, text, external_id=sms_id)

    def deliver(self, message) -> str | None:
        self.outbox.append((message.conversation.visitor.external_id, message.body))
        return f"sms-{len(self.outbox)}"


@pytest.fixture
def sms(org):
    import datetime as dt

    from interact.admin_portal.models import OfficeHoursPeriod
    from interact.connectors.models import Channel

    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(0, 0),
                                         closes=dt.time(23, 59))
    connector = base.register(OutboxConnector())
    yield connector, Channel.objects.create(organisation=org, kind="sms_test", name="SMS")
    base._REGISTRY.pop("sms_test", None)


def test_chn4_a_registered_connector_receives_and_delivers(sms, org, make_user, django_capture_on_commit_callbacks):
    from interact.conversations import services

    connector, channel = sms
    first = connector.inbound(channel, "+32470000000", "Hello by SMS", "sms-in-1")
    again = connector.inbound(channel, "+32470000000", "Hello by SMS", "sms-in-1")
    assert first.created and not again.created  # the gateway's retry is stored once (CNV-10)
    agent = make_user(org, "agent")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.send_reply(first.message.conversation, agent, "Hello back")
    reply.refresh_from_db()
    assert connector.outbox == [("+32470000000", "Hello back")]
    assert reply.delivery == "sent" and reply.external_id == "sms-1"


def test_chn4_the_registry_knows_website_chat_and_refuses_unknown_kinds():
    assert "webchat" in base.registered_kinds()
    with pytest.raises(LookupError):
        base.connector_for("carrier_pigeon")
