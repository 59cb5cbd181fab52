"""Reads of the channels context, always scoped to one organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from interact.accounts.models import Organisation
from interact.admin_portal.selectors import by_id

from .models import Channel, ChannelKind, FacebookPage


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
              _("Private messages to your Facebook Page. Connecting a Page brings this channel and the Page "
                "comments channel."), True),
    Connector(ChannelKind.PAGE_COMMENTS, ChannelKind.PAGE_COMMENTS.label,
              _("Comments and replies on your Facebook Page's posts; answers are posted under the person's "
                "comment. Comes with a Page connection."), True),
)


def channels(org: Organisation) -> QuerySet[Channel]:
    return Channel.objects.for_org(org).prefetch_related("members")


def channel(org: Organisation, pk: int) -> Channel:
    return by_id(channels(org), pk)


def supported_with_status(org: Organisation) -> list[dict]:
    """The supported list of ADM-4 with each kind's connected channels of ``org``."""
    rows = list(channels(org))
    return [{"connector": c, "channels": [ch for ch in rows if ch.kind == c.kind]} for c in SUPPORTED]


def facebook_pages(org: Organisation) -> QuerySet[FacebookPage]:
    return FacebookPage.objects.for_org(org).prefetch_related("channels")


def facebook_page(org: Organisation, pk: int) -> FacebookPage:
    return by_id(facebook_pages(org), pk)


def webhook_url(page: FacebookPage) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.PUBLIC_URL + reverse("facebook_webhook", args=[page.webhook_key])
