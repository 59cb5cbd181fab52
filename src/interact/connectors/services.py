"""Writes of the channels context (ADM-4): website chat channels, their away message, allowed
websites and members. Facebook channels come from a Facebook Page connection, not from here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from interact.accounts.models import Organisation
from interact.core.errors import Conflict, ServiceError
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


# --- channel health (CHN-3) ----------------------------------------------------------------------

def record_channel_error(channel_id: int, message: str) -> None:
    """The portal shows this on the channel and in its conversations until a call succeeds again."""
    from interact.core import clock

    Channel.objects.filter(pk=channel_id).update(last_error=message[:500], last_error_at=clock.now())


def clear_channel_error(channel_id: int) -> None:
    Channel.objects.filter(pk=channel_id).exclude(last_error="").update(last_error="", last_error_at=None)


# --- Facebook Page connections (CHN-2) -----------------------------------------------------------

PAGE_ID = re.compile(r"^\d{1,30}$")
WEBHOOK_FIELDS = "messages,messaging_postbacks,message_echoes,feed"


@dataclass
class PageData:
    page_id: str
    access_token: str
    app_secret: str
    name: str = ""


def _check_page_data(data: PageData) -> tuple[str, str, str]:
    page_id = data.page_id.strip()
    if not PAGE_ID.match(page_id):
        raise ServiceError("invalid_page_id", _("A Page id is a number, as shown in the Page's settings."),
                           field="page_id")
    token, secret = data.access_token.strip(), data.app_secret.strip()
    if not (20 <= len(token) <= 1000) or any(c.isspace() for c in token):
        raise ServiceError("invalid_access_token", _("Paste the Page access token from Meta's developer site."),
                           field="access_token")
    if not re.fullmatch(r"[0-9a-fA-F]{16,64}", secret):
        raise ServiceError("invalid_app_secret", _("The app secret is the 32 hexadecimal characters shown in "
                                                   "the Meta app's basic settings."), field="app_secret")
    return page_id, token, secret


def _verify_with_meta(page_id: str, token: str) -> str:
    """Ask Meta who the token belongs to, and subscribe the app to the Page's webhooks: a token of
    another Page, an expired one, or Meta being down is said now, not at the first message."""
    from . import meta

    try:
        me = meta.call("GET", "me", token, params={"fields": "id,name"})
        if str(me.get("id")) != page_id:
            raise ServiceError("token_of_another_page", _("This access token belongs to another Page."),
                               field="access_token")
        meta.call("POST", f"{page_id}/subscribed_apps", token, params={"subscribed_fields": WEBHOOK_FIELDS})
    except meta.GraphUnreachable:
        raise ServiceError("meta_unreachable", _("Facebook could not be reached. Try again in a moment."),
                           status=502) from None
    except meta.GraphError as exc:
        raise ServiceError("meta_refused", meta.classify(exc).reason, field="access_token") from None
    return str(me.get("name") or "")[:100]


def _page_taken(page_id: str) -> ServiceError:
    # Said the same way whichever organisation holds it: the answer reveals nothing more.
    return Conflict("page_already_connected", _("This Page is already connected."), field="page_id")


def connect_page(org: Organisation, data: PageData, by=None):
    """Connect a Facebook Page: its two channels, Messenger and Page comments, appear at once.
    Meta is asked first, outside the transaction, so no row is locked while it answers."""
    from interact.core import clock
    from interact.core.crypto import encrypt

    from .models import FacebookPage

    page_id, token, secret = _check_page_data(data)
    if FacebookPage.objects.filter(page_id=page_id).exists():
        raise _page_taken(page_id)
    meta_name = _verify_with_meta(page_id, token)
    name = (data.name.strip() or meta_name or page_id)[:100]
    try:
        with transaction.atomic():
            page = FacebookPage.objects.create(
                organisation=org, page_id=page_id, name=name, access_token_encrypted=encrypt(token),
                app_secret_encrypted=encrypt(secret), connected_by=by, created_at=clock.now())
            for kind in (ChannelKind.MESSENGER, ChannelKind.PAGE_COMMENTS):
                Channel.objects.create(organisation=org, kind=kind, page=page,
                                       name=f"{page.name} · {ChannelKind(kind).label}"[:100])
    except IntegrityError:  # connected by someone else meanwhile
        raise _page_taken(page_id) from None
    return page


def reconnect_page(page, data: PageData):
    """New token or app secret (a token expired, a secret was rotated): the channels' errors clear."""
    from interact.core.crypto import encrypt

    data.page_id = page.page_id
    _page_id, token, secret = _check_page_data(data)
    _verify_with_meta(page.page_id, token)
    with transaction.atomic():
        page.access_token_encrypted, page.app_secret_encrypted = encrypt(token), encrypt(secret)
        page.save(update_fields=["access_token_encrypted", "app_secret_encrypted"])
        page.channels.update(last_error="", last_error_at=None, is_connected=True)
    return page


@transaction.atomic
def disconnect_page(page) -> None:
    """The Page's channels go with it; their conversations stay in History (the channel rows are
    kept, marked disconnected, because conversations point at them)."""
    from .models import FacebookPage

    page = FacebookPage.objects.select_for_update().get(pk=page.pk)
    page.channels.update(is_connected=False, page=None)
    page.delete()
