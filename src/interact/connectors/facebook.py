"""What the two Facebook connectors share: finding the Page's channel and the person writing,
and reading Meta's timestamps (CHN-2)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from interact.core import clock

from .models import Channel, FacebookPage

NAME_MAX = 200


def web_url(value: object) -> str:
    """An http(s) address or nothing: what we later put in an href must not be ``javascript:``."""
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 2000:
        return value
    return ""


def fit(body: str, extra: dict) -> str:
    """Networks allow longer texts than a message holds (a comment may have 8,000 characters):
    keep the beginning and say so, rather than refuse what Meta already delivered."""
    from interact.conversations.models import MESSAGE_MAX_CHARS

    if len(body) <= MESSAGE_MAX_CHARS:
        return body
    extra["truncated_from"] = len(body)
    return body[:MESSAGE_MAX_CHARS - 1] + "…"


def channel_of(page: FacebookPage, kind: str) -> Channel | None:
    return Channel.objects.filter(page=page, kind=kind).select_related("organisation").first()


def from_millis(value: object) -> dt.datetime | None:
    """Messenger's ``timestamp`` is milliseconds since the epoch."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def from_seconds(value: object) -> dt.datetime | None:
    """The feed's ``created_time`` is seconds since the epoch."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return from_millis(value * 1000)


def person(channel: Channel, external_id: str, display_name: str = ""):
    """The visitor behind a page-scoped id, created on first contact; a name Meta sends later fills
    in a blank one (a person renaming themselves on Facebook is not our business to track)."""
    from interact.conversations.models import Visitor

    now = clock.now()
    defaults = {"organisation_id": channel.organisation_id, "verified": True, "created_at": now,
                "last_seen_at": now, "display_name": display_name[:NAME_MAX]}
    try:
        with transaction.atomic():
            visitor, created = Visitor.objects.get_or_create(channel=channel, external_id=external_id,
                                                             defaults=defaults)
    except IntegrityError:
        visitor, created = Visitor.objects.get(channel=channel, external_id=external_id), False
    if not created:
        changed = {"last_seen_at": now}
        if display_name and not visitor.display_name:
            changed["display_name"] = display_name[:NAME_MAX]
        Visitor.objects.filter(pk=visitor.pk).update(**changed)
        for key, value in changed.items():
            setattr(visitor, key, value)
    return visitor
