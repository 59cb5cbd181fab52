"""Who may get a conversation (CNV-2) and who gets offered it first.

Matching follows the seed: the channel, the language and the skills of the conversation. A
language nobody in the organisation speaks is not a reason to strand a visitor, so it is then
ignored; skills and channel are never relaxed. Among the matching end users who are online and
below their own capacity, the least loaded is offered the conversation, as Odoo's livechat and
Zendesk do; ties go to whoever has waited longest since their last conversation.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q, QuerySet

from interact.accounts.models import User
from interact.admin_portal.selectors import general_settings
from interact.core.permissions import Role

from .models import OPEN_STATUSES, Conversation, Presence

HANDLER_ROLES = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AGENT)
PRESENCE_TTL = dt.timedelta(seconds=90)


def handlers(organisation_id: int) -> QuerySet[User]:
    """End users who may take conversations at all (conversations.handle)."""
    return User.objects.filter(organisation_id=organisation_id, is_active=True, role__in=HANDLER_ROLES)


def matching(conversation: Conversation, *, routing: bool | None = None) -> QuerySet[User]:
    """End users the conversation may be offered to; everyone who handles conversations when
    routing is off."""
    users = handlers(conversation.organisation_id)
    if routing is None:
        routing = general_settings(conversation.organisation).routing_enabled
    if not routing:
        return users
    users = users.filter(channels=conversation.channel_id)
    if conversation.language:
        speakers = users.filter(languages__code=conversation.language)
        if speakers.exists():
            users = speakers
    for skill_id in conversation.skills.values_list("pk", flat=True):
        users = users.filter(skills=skill_id)
    return users.distinct()


def may_be_offered(user: User, conversation: Conversation) -> bool:
    return matching(conversation).filter(pk=user.pk).exists()


def online_ids(now: dt.datetime) -> QuerySet:
    return Presence.objects.filter(seen_at__gte=now - PRESENCE_TTL).values("user_id")


def choose(conversation: Conversation, now: dt.datetime, *, exclude: set[int] = frozenset()) -> User | None:
    """The least-loaded matching end user who is online and has room, or ``None``."""
    candidates = (
        matching(conversation)
        .filter(pk__in=online_ids(now))
        .exclude(pk__in=exclude)
        .annotate(
            load=Count("assigned_conversations", filter=Q(assigned_conversations__status__in=OPEN_STATUSES),
                       distinct=True),
            last_taken=Max("assigned_conversations__taken_at"),
        )
    )
    best = None
    for user in candidates:
        if user.load >= user.max_conversations:
            continue
        key = (user.load, user.last_taken or dt.datetime.min.replace(tzinfo=dt.UTC), user.pk)
        if best is None or key < best[0]:
            best = (key, user)
    return best[1] if best else None
