"""Writes of the channels context (ADM-4): website chat channels, their away message, allowed
websites and members. Facebook channels come from a Facebook Page connection, not from here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from interact.accounts.models import Organisation
from interact.core.errors import ServiceError
from interact.core.plans import Feature, require_feature

from .models import Channel, ChannelKind

AWAY_MESSAGE_MAX = 1000
MAX_ORIGINS = 20
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"^(localhost|{_LABEL}(\.{_LABEL})+|\d{{1,3}}(\.\d{{1,3}}){{3}})$")


def normalise_origin(raw: str) -> str:
    """``http(s)://host[:port]`` in lower case, without a trailing slash; raises ``ValueError`` otherwise."""
    value = raw.strip()
    if not value or any(c.isspace() for c in value):
        raise ValueError(raw)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or parts.query or parts.fragment or parts.path not in ("", "/"):
        raise ValueError(raw)
    if "@" in parts.netloc:
        raise ValueError(raw)
    host = (parts.hostname or "").lower()
    if not _HOST.match(host):
        raise ValueError(raw)
    if host[0].isdigit() and host.replace(".", "").isdigit() and any(int(n) > 255 for n in host.split(".")):
        raise ValueError(raw)
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(raw) from exc
    if port is not None and not 0 < port < 65536:
        raise ValueError(raw)
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def clean_origins(lines: Iterable[str]) -> list[str]:
    """Each website once, in the order given; blank lines ignored."""
    result: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            origin = normalise_origin(line)
        except ValueError as exc:
            raise ServiceError(
                "invalid_origin",
                _("“%(value)s” is not a website address like https://www.example.be or http://localhost:8080.")
                % {"value": line.strip()[:100]},
                field="allowed_origins",
            ) from exc
        if origin not in result:
            result.append(origin)
    if len(result) > MAX_ORIGINS:
        raise ServiceError("too_many_origins", _("At most %(n)d websites per channel.") % {"n": MAX_ORIGINS},
                           field="allowed_origins")
    return result


@dataclass
class ChannelData:
    name: str
    away_message: str = ""
    allowed_origins: list[str] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    kind: str = ChannelKind.WEBCHAT


@transaction.atomic
def save_channel(org: Organisation, data: ChannelData, instance: Channel | None = None) -> Channel:
    from interact.admin_portal.services import resolve_members

    if instance is None and data.kind != ChannelKind.WEBCHAT:
        if data.kind in ChannelKind.values:
            raise ServiceError("connector_unavailable",
                               _("Facebook channels are connected from a Facebook Page connection."), field="kind")
        raise ServiceError("invalid_kind", _("Unknown channel type."), field="kind")
    name = data.name.strip()
    if not name:
        raise ServiceError("name_required", _("Give the channel a name."), field="name")
    if len(name) > 100:
        raise ServiceError("name_too_long", _("The name has at most 100 characters."), field="name")
    away = data.away_message.strip()
    if len(away) > AWAY_MESSAGE_MAX:
        raise ServiceError("away_message_too_long",
                           _("The away message has at most %(n)d characters.") % {"n": AWAY_MESSAGE_MAX},
                           field="away_message")
    origins = clean_origins(data.allowed_origins)
    members = resolve_members(org, data.members)
    channel = instance or Channel(organisation=org, kind=ChannelKind.WEBCHAT)
    channel.name, channel.away_message, channel.allowed_origins = name, away, "\n".join(origins)
    channel.save()
    channel.members.set(members)
    return channel


@transaction.atomic
def delete_channel(channel: Channel) -> None:
    """Disconnects the channel: its members lose it and its snippet stops working."""
    channel.delete()


@transaction.atomic
def rotate_identity_secret(channel: Channel) -> str:
    """A new secret for identity verification (CHN-1). Signatures made with the old one stop
    verifying at once, which is the point when it leaked; the site must update its server."""
    from .models import _secret

    if channel.kind != ChannelKind.WEBCHAT:
        raise ServiceError("no_identity_secret", _("Only website chat channels verify visitors' identity."),
                           status=409)
    channel.identity_secret = _secret()
    channel.save(update_fields=["identity_secret"])
    return channel.identity_secret


def embed_snippet(channel: Channel) -> str:
    """The HTML a client pastes in its website; only with the SDK option (TEN-2)."""
    require_feature(channel.organisation, Feature.SDK)
    if channel.kind != ChannelKind.WEBCHAT:
        raise ServiceError("no_snippet", _("Only website chat channels have an embed snippet."), status=409)
    return (f'<script type="module" src="{settings.PUBLIC_URL}/static/widget/interact-widget.js" '
            f'data-channel="{channel.public_key}"></script>')
