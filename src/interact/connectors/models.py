"""Channels an organisation connects (ADM-4, CHN)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from interact.core.crypto import Decrypted
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
    page = models.ForeignKey("connectors.FacebookPage", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="channels")
    is_connected = models.BooleanField(default=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _token() -> str:
    return secrets.token_urlsafe(24)


class FacebookPage(TenantModel):
    """A Facebook Page connected to the organisation (CHN-2). It brings two channels, Messenger and
    Page comments. The access token and the app secret are stored encrypted
    (:mod:`interact.core.crypto`); the webhook has its own URL per connection, so the signature is
    checked with the right app secret before a byte of the body is parsed."""

    page_id = models.CharField(_("Page id"), max_length=40, unique=True)
    name = models.CharField(_("Page name"), max_length=100)
    access_token_encrypted = models.TextField()
    app_secret_encrypted = models.TextField()
    verify_token = models.CharField(max_length=64, default=_token)
    webhook_key = models.CharField(max_length=64, unique=True, default=_token)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    access_token = Decrypted("access_token_encrypted")
    app_secret = Decrypted("app_secret_encrypted")


class WebhookStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")


class WebhookEvent(TenantModel):
    """A webhook body exactly as Meta sent it, stored before the 200 (CNV-10, CHN-2): if processing
    fails or the process dies, the event is still here to be processed again, and nothing a
    network accepted from a visitor is lost."""

    id = models.BigAutoField(primary_key=True)
    page = models.ForeignKey(FacebookPage, on_delete=models.CASCADE, related_name="webhook_events")
    body = models.BinaryField()
    received_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=WebhookStatus.choices, default=WebhookStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "id"])]
