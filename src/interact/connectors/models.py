"""Channels an organisation connects (ADM-4, CHN)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from interact.core.models import TenantModel


class ChannelKind(models.TextChoices):
    WEBCHAT = "webchat", _("Website chat")
    MESSENGER = "messenger", _("Facebook Messenger")
    PAGE_COMMENTS = "page_comments", _("Facebook Page comments")


def _public_key() -> str:
    return secrets.token_urlsafe(16)


def _secret() -> str:
    return secrets.token_urlsafe(32)


class Channel(TenantModel):
    kind = models.CharField(_("type"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=100)
    away_message = models.TextField(_("away message"), blank=True, max_length=1000)
    public_key = models.CharField(max_length=40, unique=True, default=_public_key)
    identity_secret = models.CharField(max_length=64, default=_secret)
    allowed_origins = models.TextField(_("allowed websites"), blank=True, max_length=2000)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="channels", blank=True)
    is_connected = models.BooleanField(default=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
