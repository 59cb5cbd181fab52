"""Facts the dashboard reads (STA-1..3): one row per conversation, one per (conversation, end
user) and one per (conversation, topic), rebuilt from the event log whenever the conversation's
course changes.

Why facts and not queries on conversations and messages: durations in office hours cannot be
computed in SQL, and the dashboard must answer in well under a second over a million
conversations (bench/README.md). Each row carries the conversation's organisation, channel and
start, so every dashboard query is a range scan of one index per table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from interact.core.models import TenantModel


class ConversationFact(TenantModel):
    conversation = models.OneToOneField("conversations.Conversation", primary_key=True, on_delete=models.CASCADE,
                                        related_name="stats_fact")
    channel = models.ForeignKey("connectors.Channel", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    hour = models.PositiveSmallIntegerField()  # local (Europe/Brussels) hour of day it arrived
    weekday = models.PositiveSmallIntegerField()  # local weekday, 0 = Monday
    closed = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    away_sent = models.BooleanField(default=False)
    with_bot = models.BooleanField(default=False)
    human = models.BooleanField(default=False)
    handed_over = models.BooleanField(default=False)
    abandoned = models.BooleanField(default=False)
    requeues = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)
    visitor_messages = models.PositiveIntegerField(default=0)
    agent_messages = models.PositiveIntegerField(default=0)
    bot_messages = models.PositiveIntegerField(default=0)
    system_messages = models.PositiveIntegerField(default=0)
    # Durations in seconds: wall clock, and within office hours (``_bh``). NULL = not applicable.
    first_response = models.IntegerField(null=True, blank=True)
    first_response_bh = models.IntegerField(null=True, blank=True)
    wait = models.IntegerField(null=True, blank=True)
    wait_bh = models.IntegerField(null=True, blank=True)
    handling = models.IntegerField(null=True, blank=True)
    handling_bh = models.IntegerField(null=True, blank=True)
    resolution = models.IntegerField(null=True, blank=True)
    resolution_bh = models.IntegerField(null=True, blank=True)
    resolver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    computed_at = models.DateTimeField()

    class Meta:
        # Covering (PostgreSQL): a period's rows are one contiguous slice of the index, read without
        # touching the table, whose rows for a month are scattered (bench/README.md, "Statistics").
        indexes = [models.Index(fields=["organisation", "started_at"], name="stats_fact_org_started",
                                include=["conversation", "channel", "hour", "weekday", "closed", "away_sent",
                                         "with_bot", "human", "handed_over", "abandoned", "messages",
                                         "visitor_messages", "agent_messages", "bot_messages", "system_messages",
                                         "first_response", "first_response_bh", "wait", "wait_bh", "handling",
                                         "handling_bh", "resolution", "resolution_bh", "resolver"])]


class HandlingFact(TenantModel):
    """One end user's part in one conversation: what the End users tab counts."""

    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("connectors.Channel", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    closed = models.BooleanField(default=False)
    replies = models.PositiveIntegerField(default=0)
    resolved = models.BooleanField(default=False)
    handling = models.IntegerField(null=True, blank=True)
    handling_bh = models.IntegerField(null=True, blank=True)
    first_response = models.IntegerField(null=True, blank=True)
    first_response_bh = models.IntegerField(null=True, blank=True)
    resolution = models.IntegerField(null=True, blank=True)
    resolution_bh = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="handling_fact_once")]
        indexes = [models.Index(fields=["organisation", "started_at"], name="stats_handling_org_started",
                                include=["id", "conversation", "user", "channel", "resolved", "replies", "handling",
                                         "handling_bh", "first_response", "first_response_bh", "resolution",
                                         "resolution_bh"])]


class TopicFact(TenantModel):
    """A conversation filed under a topic (at archiving), dated by the conversation's start."""

    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey("admin_portal.Topic", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("connectors.Channel", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "topic"], name="topic_fact_once")]
        indexes = [models.Index(fields=["organisation", "started_at"], name="stats_topic_org_started",
                                include=["id", "topic", "conversation", "channel"]),
                   models.Index(fields=["topic", "started_at"], name="stats_topic_topic_started",
                                include=["conversation"])]


class SkillFact(TenantModel):
    """A skill the conversation needs, dated by its start: the skill filter reads one index range."""

    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    skill = models.ForeignKey("admin_portal.Skill", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "skill"], name="skill_fact_once")]
        indexes = [models.Index(fields=["skill", "started_at"], name="stats_skill_skill_started",
                                include=["conversation"])]


class StaleFact(models.Model):
    """A conversation whose facts must be rebuilt: written in the same transaction as the event,
    so no change is ever lost even if the job that rebuilds it is late or dies."""

    conversation_id = models.BigIntegerField(primary_key=True)
    organisation_id = models.BigIntegerField(db_index=True)
    marked_at = models.DateTimeField()
