"""Reads of the channels context, always scoped to one organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from interact.accounts.models import Organisation
from interact.admin_portal.selectors import by_id

from .models import Channel, ChannelKind


@dataclass(frozen=True)
class Connector:
    kind: str
    label: Promise
    description: Promise
    available: bool


SUPPORTED: tuple[Connector, ...] = (
    Connector(ChannelKind.WEBCHAT, ChannelKind.WEBCHAT.label,
              _("A chat window on your own website, limited to the websites you list."), True),
    Connector(ChannelKind.MESSENGER, ChannelKind.MESSENGER.label,
              _("Private messages to your Facebook Page. Connected from a Facebook Page connection, which comes "
                "with the Facebook connector."), False),
    Connector(ChannelKind.PAGE_COMMENTS, ChannelKind.PAGE_COMMENTS.label,
              _("Comments on your Facebook Page's posts. Connected from a Facebook Page connection, which comes "
                "with the Facebook connector."), False),
)


def channels(org: Organisation) -> QuerySet[Channel]:
    return Channel.objects.for_org(org).prefetch_related("members")


def channel(org: Organisation, pk: int) -> Channel:
    return by_id(channels(org), pk)


def supported_with_status(org: Organisation) -> list[dict]:
    """The supported list of ADM-4 with each kind's connected channels of ``org``."""
    rows = list(channels(org))
    return [{"connector": c, "channels": [ch for ch in rows if ch.kind == c.kind]} for c in SUPPORTED]
