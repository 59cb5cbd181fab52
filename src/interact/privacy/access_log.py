"""The access log (PRV-6): who opened which visitor profile, conversation or export.

Views and API routes of other contexts call :func:`log_access` in one line after they authorised
the read; it is one INSERT, cheap enough for every open. Operator staff reach client content only
through an :class:`OperatorAccess` with a recorded ground and reason (003 §7.8.4), and each of their
reads is logged with that reason. The organisation's Administrators review the log in the portal.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils.translation import gettext as _

from interact.core import clock
from interact.core.errors import ServiceError

from .models import AccessLogEntry, OperatorAccess, OperatorReason

log = logging.getLogger(__name__)

OPERATOR_ACCESS_MINUTES = 60


def log_access(user, kind: str, object_id: int, *, visitor_id: int | None = None, via: str = "page",
               organisation_id: int | None = None, reason: str = "") -> None:
    """Record one read. Never breaks the read it records: a failure is logged and swallowed."""
    organisation_id = organisation_id or getattr(user, "organisation_id", None)
    if organisation_id is None or object_id is None:
        return
    try:
        AccessLogEntry.objects.create(
            organisation_id=organisation_id, at=clock.now(), actor=user if getattr(user, "pk", None) else None,
            actor_realm=getattr(user, "realm", "client") or "client", kind=kind, object_id=object_id,
            visitor_id=visitor_id, via=via, reason=reason)
    except Exception:  # the read itself must still be served
        log.exception("access log write failed", extra={"kind": kind, "object_id": object_id})


def log_conversation(user, conversation, *, via: str = "page") -> None:
    log_access(user, "conversation", conversation.pk, visitor_id=conversation.visitor_id, via=via,
               organisation_id=conversation.organisation_id)


def log_visitor(user, visitor, *, via: str = "page") -> None:
    log_access(user, "visitor", visitor.pk, visitor_id=visitor.pk, via=via, organisation_id=visitor.organisation_id)


@transaction.atomic
def open_operator_access(staff, organisation, ground: str, reason: str) -> OperatorAccess:
    """Operator staff state why they need to open this organisation's content; valid one hour."""
    if ground not in OperatorReason.values:
        raise ServiceError("invalid_ground", _("Choose the ground for opening client content."), field="ground")
    if not isinstance(reason, str) or len(reason.strip()) < 10 or len(reason) > 1000:
        raise ServiceError("reason_required", _("Describe why (at least 10 characters), e.g. the incident number."),
                           field="reason")
    now = clock.now()
    return OperatorAccess.objects.create(organisation=organisation, staff=staff, ground=ground, reason=reason.strip(),
                                         granted_at=now, expires_at=now + dt.timedelta(minutes=OPERATOR_ACCESS_MINUTES))


def current_operator_access(staff, organisation_id: int) -> OperatorAccess | None:
    return (OperatorAccess.objects.filter(staff=staff, organisation_id=organisation_id, expires_at__gt=clock.now())
            .order_by("-granted_at").first())
