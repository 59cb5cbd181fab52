"""Reads of the privacy centre, always scoped to the caller's organisation."""

from __future__ import annotations

import os

from django.db.models import QuerySet
from django.http import Http404

from .models import OPEN_REQUEST_STATUSES, BreachNotice, DataSubjectRequest

# PRV-7: where the data lives, set by the operator for the installation (docs/privacy.md).
DEFAULT_RESIDENCY = "EEA — Belgium (operator's own data centres)"


def residency() -> str:
    return os.environ.get("INTERACT_DATA_RESIDENCY", DEFAULT_RESIDENCY)


def requests(org) -> QuerySet[DataSubjectRequest]:
    return DataSubjectRequest.objects.for_org(org)


def open_requests(org) -> QuerySet[DataSubjectRequest]:
    return requests(org).filter(status__in=OPEN_REQUEST_STATUSES).order_by("due_at", "received_at")


def request_of(org, pk: int) -> DataSubjectRequest:
    """One request of the organisation; another organisation's is simply not found."""
    req = requests(org).select_related("organisation").filter(pk=pk).first()
    if req is None:
        raise Http404
    return req


def channels(org):
    from interact.connectors.models import Channel

    return Channel.objects.for_org(org)


def breach_notices(org) -> QuerySet[BreachNotice]:
    return BreachNotice.objects.for_org(org).select_related("breach", "acknowledged_by")


def recent_conversations(org, limit: int = 20):
    from interact.conversations.models import Conversation

    return Conversation.objects.for_org(org).order_by("-last_message_at")[:limit]
