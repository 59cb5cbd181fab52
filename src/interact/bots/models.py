"""Chatbots connected to channels, and the per-visitor pause of handover (BOT-1..3, Bot plan).

A channel has at most one bot. Per visitor the bot is *active* unless a :class:`BotPause` row
exists: an end user paused it to chat, the bot asked for a human, or the bot failed. While that
row exists the platform itself stops forwarding the visitor's messages to the bot, so a bot
that ignores a handover cannot talk over the person who took the conversation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from interact.core.crypto import Decrypted
from interact.core.models import TenantModel


class Platform(models.TextChoices):
    WEBHOOK = "webhook", _("Generic webhook (#Interact bot protocol)")
    RASA = "rasa", _("Rasa (REST channel)")


class Chatbot(TenantModel):
    channel = models.OneToOneField("connectors.Channel", on_delete=models.CASCADE, related_name="chatbot")
    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    endpoint_url = models.URLField(_("bot address"), max_length=500)
    # Signs what we send (generic protocol); stored encrypted (core/crypto.py).
    secret_encrypted = models.TextField()
    # The bot's own key to call our API later (answers, handover); only its SHA-256 is kept.
    api_key_hash = models.CharField(max_length=64, unique=True)
    api_key_hint = models.CharField(max_length=8)
    timeout_seconds = models.PositiveSmallIntegerField(_("time-out (seconds)"), default=8)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    secret = Decrypted("secret_encrypted")


class PauseReason(models.TextChoices):
    END_USER = "end_user", _("Paused by an end user")
    HANDOVER = "handover", _("The bot asked for a person")
    OUTAGE = "outage", _("The bot did not answer")


class BotPause(TenantModel):
    """The bot is paused for this visitor (BOT-2) until someone restarts it."""

    visitor = models.OneToOneField("conversations.Visitor", on_delete=models.CASCADE, related_name="bot_pause")
    reason = models.CharField(max_length=10, choices=PauseReason.choices)
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    detail = models.CharField(max_length=300, blank=True)
    paused_at = models.DateTimeField()
