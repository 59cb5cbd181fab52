"""Visitors, conversations, messages and the event log (CNV-1..10).

Invariants live in the database: one open conversation per visitor, an assignee whenever a
conversation is assigned or active, a message stored once per client id or external id. The
event log gives every change an increasing id so a socket that reconnects resumes where it
stopped (CNV-9, CNV-10).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interact.core.models import TenantModel

MESSAGE_MAX_CHARS = 5000


class Visitor(TenantModel):
    """A person writing on one channel. Website visitors are anonymous unless the site verified
    their identity (CHN-1); Facebook users are known by their page-scoped id."""

    channel = models.ForeignKey("connectors.Channel", on_delete=models.CASCADE, related_name="visitors")
    external_id = models.CharField(max_length=200)
    verified = models.BooleanField(default=False)
    display_name = models.CharField(_("name on the channel"), max_length=200, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="visitor_unique_per_channel"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.display_name or _("Visitor %(number)s") % {"number": self.pk}


class VisitorNote(TenantModel):
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]


class Status(models.TextChoices):
    BOT = "bot", _("With the chatbot")
    QUEUED = "queued", _("Waiting")
    ASSIGNED = "assigned", _("Assigned")
    ACTIVE = "active", _("In progress")
    ENDED = "ended", _("Ended")
    ARCHIVED = "archived", _("Archived")


OPEN_STATUSES = (Status.BOT, Status.QUEUED, Status.ASSIGNED, Status.ACTIVE)
CLOSED_STATUSES = (Status.ENDED, Status.ARCHIVED)


class Conversation(TenantModel):
    channel = models.ForeignKey("connectors.Channel", on_delete=models.PROTECT, related_name="conversations")
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="conversations")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    language = models.CharField(_("language"), max_length=8, blank=True)
    skills = models.ManyToManyField("admin_portal.Skill", related_name="conversations", blank=True)
    topics = models.ManyToManyField("admin_portal.Topic", related_name="conversations", blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_conversations")
    offered_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    offered_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField()
    assigned_at = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    away_sent = models.BooleanField(default=False)
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visitor"], condition=Q(status__in=["bot", "queued", "assigned", "active"]),
                                    name="one_open_conversation_per_visitor"),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "active"]) | Q(assignee__isnull=False),
                name="assigned_conversation_has_assignee"),
            models.CheckConstraint(condition=~Q(status="archived") | Q(ended_at__isnull=False),
                                   name="archived_conversation_was_ended"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "queued_at"]),
            models.Index(fields=["organisation", "ended_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class SenderKind(models.TextChoices):
    VISITOR = "visitor", _("Visitor")
    AGENT = "agent", _("End user")
    SYSTEM = "system", _("Automatic")
    BOT = "bot", _("Chatbot")


class Delivery(models.TextChoices):
    RECEIVED = "received", _("Received")
    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not delivered")


class Message(TenantModel):
    channel = models.ForeignKey("connectors.Channel", on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=SenderKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    body = models.TextField(max_length=MESSAGE_MAX_CHARS)
    client_id = models.CharField(max_length=64, null=True, blank=True)
    external_id = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField()
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.RECEIVED)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    delivery_error = models.TextField(blank=True)
    # What the network sent besides text: attachments, a quick reply's or postback's payload, the
    # post a comment belongs to (CHN-2). Shown in the inbox, kept with the copy.
    meta = models.JSONField(default=dict, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "client_id"], name="message_once_per_client_id"),
            models.UniqueConstraint(fields=["channel", "external_id"], name="message_once_per_external_id"),
        ]
        indexes = [models.Index(fields=["conversation", "id"])]


class Event(TenantModel):
    """The append-only log behind every live update. ``id`` is the resume cursor; events marked
    ``for_visitor`` are the only ones a visitor's socket ever replays."""

    id = models.BigAutoField(primary_key=True)
    conversation = models.ForeignKey(Conversation, null=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    payload = models.JSONField()
    for_visitor = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "id"]),
            models.Index(fields=["conversation", "id"]),
        ]


class Presence(models.Model):
    """One row per open portal socket, refreshed by its heartbeat: routing offers conversations
    only to end users who are online, and a crashed process's rows simply expire."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presences")
    channel_name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()
