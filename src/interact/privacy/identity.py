"""Recognising a person: normalised identifiers, their keyed hashes, and the visitor rows they match.

Audit records that must outlive an erasure (the erasure log, consent proofs) keep a keyed hash
(HMAC-SHA256) of the identifier instead of the identifier: the platform can still tell that a
person who comes back with the same e-mail is the one on record, but a database dump reveals
nothing. The key is derived from the installation's secret, never stored in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from interact.core.errors import ServiceError

from .models import IdentifierKind

_DIGITS = re.compile(r"\D+")


def _key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"interact.privacy.subject", hashlib.sha256).digest()


def normalise(kind: str, value: object, *, channel_id: int | None = None) -> str:
    """The canonical form of an identifier, or a 400 naming the field."""
    if not isinstance(value, str) or not value.strip() or len(value) > 300:
        raise ServiceError("invalid_identifier", _("Enter the person's identifier."), field="identifier")
    value = value.strip()
    if kind == IdentifierKind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise ServiceError("invalid_identifier", _("Enter a valid e-mail address."), field="identifier") from None
        return value.lower()
    if kind == IdentifierKind.PHONE:
        digits = _DIGITS.sub("", value)
        if not 6 <= len(digits) <= 15:
            raise ServiceError("invalid_identifier", _("Enter a valid phone number."), field="identifier")
        # Belgian national form and international form are the same number.
        if digits.startswith("00"):
            digits = digits[2:]
        elif digits.startswith("0"):
            digits = "32" + digits[1:]
        return digits
    if kind == IdentifierKind.VISITOR_ID:
        if not value.isdigit() or len(value) > 18:
            raise ServiceError("invalid_identifier", _("A visitor number is made of digits."), field="identifier")
        return str(int(value))
    if kind == IdentifierKind.CHANNEL_IDENTITY:
        if channel_id is None:
            raise ServiceError("channel_required", _("Choose the channel this identity belongs to."), field="channel")
        return f"{channel_id}:{value}"
    raise ServiceError("invalid_identifier_kind", _("Unknown kind of identifier."), field="identifier_kind")


def digest(kind: str, normalised: str) -> str:
    return hmac.new(_key(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def phone_digits(value: str) -> str:
    try:
        return normalise(IdentifierKind.PHONE, value)
    except ServiceError:
        return ""


def visitor_digests(visitor) -> list[str]:
    """Every keyed hash under which a visitor row can be recognised (erasure log replay)."""
    found = [digest(IdentifierKind.VISITOR_ID, str(visitor.pk)),
             digest(IdentifierKind.CHANNEL_IDENTITY, f"{visitor.channel_id}:{visitor.external_id}")]
    if visitor.email:
        found.append(digest(IdentifierKind.EMAIL, visitor.email.strip().lower()))
    for number in (visitor.phone, visitor.mobile):
        digits = phone_digits(number) if number else ""
        if digits:
            found.append(digest(IdentifierKind.PHONE, digits))
    return found


def matching_visitors(organisation, kind: str, normalised: str) -> QuerySet:
    """The organisation's visitor rows about this person. Phone numbers are compared on digits,
    so "+32 475 12 34 56" finds "0475123456"."""
    from interact.conversations.models import Visitor

    visitors = Visitor.objects.for_org(organisation)
    if kind == IdentifierKind.EMAIL:
        return visitors.filter(email__iexact=normalised)
    if kind == IdentifierKind.VISITOR_ID:
        return visitors.filter(pk=int(normalised))
    if kind == IdentifierKind.CHANNEL_IDENTITY:
        channel_id, external_id = normalised.split(":", 1)
        return visitors.filter(channel_id=int(channel_id), external_id=external_id)
    if kind == IdentifierKind.PHONE:
        # Numbers are stored as typed ("0475 12 34 56"), so they are compared on digits here; a
        # rare, Administrator-initiated look-up can afford the scan of the filled ones.
        candidates = visitors.filter(Q(phone__gt="") | Q(mobile__gt="")).values_list("pk", "phone", "mobile")
        ids = [pk for pk, phone, mobile in candidates.iterator(chunk_size=2000)
               if normalised in (phone_digits(phone), phone_digits(mobile))]
        return visitors.filter(pk__in=ids)
    return visitors.none()
