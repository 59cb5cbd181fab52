"""The website chat connector (CHN-1, CHN-4).

Inbound: the widget's socket (:mod:`interact.widget.consumers`) identifies the visitor here and
hands each message to :func:`interact.conversations.services.receive_message`.

Outbound: a reply is already in the conversation's event log when it is stored, and every
visitor socket replays that log from its last event id on (re)connect. Delivering therefore
means nothing more than confirming the message is in that log, so a visitor who is offline
gets the reply when they come back instead of it being lost.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import ClassVar

from django.core import signing
from django.db import IntegrityError, transaction

from interact.core import clock

from .base import register
from .models import Channel, ChannelKind

TOKEN_SALT = "interact.widget.visitor"
ANONYMOUS_PREFIX = "anon:"
VERIFIED_PREFIX = "id:"
IDENTIFIER_MAX = 150


class IdentityRejected(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def identity_signature(channel: Channel, identifier: str) -> str:
    """What the client's server computes: hex HMAC-SHA256 of the identifier with the channel secret."""
    return hmac.new(channel.identity_secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def _salt(channel: Channel) -> str:
    # A token is bound to its channel: presenting it to another channel's widget fails the check.
    return f"{TOKEN_SALT}:{channel.public_key}"


def visitor_token(channel: Channel, external_id: str) -> str:
    return signing.dumps(external_id, salt=_salt(channel), compress=False)


def external_id_from_token(channel: Channel, token: str) -> str:
    try:
        value = signing.loads(token, salt=_salt(channel))
    except signing.BadSignature:
        raise IdentityRejected("invalid_visitor_token") from None
    if not isinstance(value, str) or not value.startswith(ANONYMOUS_PREFIX):
        raise IdentityRejected("invalid_visitor_token")
    return value


@dataclass
class Identity:
    external_id: str
    verified: bool
    token: str | None


def identify(channel: Channel, *, token: str | None = None, identifier: str | None = None,
             signature: str | None = None) -> Identity:
    """Who is this visitor? A verified identifier wins; a valid token resumes an anonymous visitor;
    otherwise a new anonymous visitor is born. A wrong signature is refused, never downgraded, so a
    site that meant to verify its users notices at once."""
    if identifier is not None:
        if not isinstance(identifier, str) or not (0 < len(identifier) <= IDENTIFIER_MAX):
            raise IdentityRejected("invalid_identifier")
        expected = identity_signature(channel, identifier)
        if not isinstance(signature, str) or not hmac.compare_digest(expected, signature.lower()):
            raise IdentityRejected("invalid_signature")
        return Identity(VERIFIED_PREFIX + identifier, True, None)
    if token:
        external_id = external_id_from_token(channel, token)
        return Identity(external_id, False, token)
    external_id = ANONYMOUS_PREFIX + secrets.token_urlsafe(18)
    return Identity(external_id, False, visitor_token(channel, external_id))


def visitor_for(channel: Channel, identity: Identity, *, language: str = "", attributes: dict | None = None):
    """Get or create the visitor row, refreshing what the browser told us this time."""
    from interact.conversations.models import Visitor

    now = clock.now()
    defaults = {"organisation_id": channel.organisation_id, "verified": identity.verified, "created_at": now,
                "last_seen_at": now, "language": language, "attributes": attributes or {}}
    try:
        with transaction.atomic():
            visitor, created = Visitor.objects.get_or_create(channel=channel, external_id=identity.external_id,
                                                             defaults=defaults)
    except IntegrityError:  # two tabs said hello at the same instant
        visitor, created = Visitor.objects.get(channel=channel, external_id=identity.external_id), False
    if not created:
        changed = {"last_seen_at": now}
        if language and language != visitor.language:
            changed["language"] = language
        if attributes:
            changed["attributes"] = {**visitor.attributes, **attributes}
        Visitor.objects.filter(pk=visitor.pk).update(**changed)
        for key, value in changed.items():
            setattr(visitor, key, value)
    return visitor


class WebchatConnector:
    kind: ClassVar[str] = ChannelKind.WEBCHAT
    supports_bots: ClassVar[bool] = True

    def deliver(self, message) -> str | None:
        return None


register(WebchatConnector())
