"""Consent records (PRV-4, 002 §6.3.2.5, §11.1.5).

Records are append-only: giving and withdrawing are both new rows, so the state at any past date is
the last record at or before that date, and the history is the proof. Every feature that needs
consent asks :func:`has_consent` at the moment it acts, which is why a withdrawal takes effect
everywhere at once: there is no copy of the state to update. The person is recorded as a keyed
hash of their identifier (and the visitor row when known), never the identifier itself.

Proof is kept for the consent's duration + 5 years (the limitation period before the Belgian
Data Protection Authority): the retention job deletes a purpose's records for a person once the
consent ended (withdrawn or expired) more than 5 years ago.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from interact.accounts.models import Organisation, User
from interact.core import clock
from interact.core.errors import ServiceError

from . import identity
from .models import ConsentAction, ConsentRecord, IdentifierKind

PROOF_YEARS = 5
_PURPOSE = re.compile(r"^[a-z][a-z0-9_.-]{1,59}$")
CHANNELS = ("webchat", "messenger", "page_comments", "email", "phone", "paper", "in_person", "web_form")


@dataclass(frozen=True)
class Subject:
    kind: str
    digest: str
    visitor_id: int | None = None


def subject_of(org: Organisation, kind: str, identifier: str, *, channel_id: int | None = None) -> Subject:
    normalised = identity.normalise(kind, identifier, channel_id=channel_id)
    visitor_id = None
    if kind == IdentifierKind.VISITOR_ID:
        from interact.conversations.models import Visitor

        visitor_id = Visitor.objects.for_org(org).filter(pk=int(normalised)).values_list("pk", flat=True).first()
        if visitor_id is None:
            raise ServiceError("unknown_visitor", _("No such visitor."), field="identifier", status=404)
    return Subject(kind, identity.digest(kind, normalised), visitor_id)


@transaction.atomic
def record(org: Organisation, subject: Subject, *, purpose: str, channel: str, action: str, at: dt.datetime | None,
           source: str, wording_version: str, collector: User | None, duration_days: int | None = None,
           collector_kind: str = "end_user") -> ConsentRecord:
    now = clock.now()
    at = at or now
    if not isinstance(purpose, str) or not _PURPOSE.match(purpose):
        raise ServiceError("invalid_purpose", _("A purpose is a short code such as marketing.email."), field="purpose")
    if channel not in CHANNELS:
        raise ServiceError("invalid_channel", _("Choose where the consent was collected."), field="channel")
    if action not in ConsentAction.values:
        raise ServiceError("invalid_action", _("Consent is given or withdrawn."), field="action")
    if at > now + dt.timedelta(minutes=5):
        raise ServiceError("invalid_at", _("A consent cannot be dated in the future."), field="at")
    for name, value, limit in (("source", source, 200), ("wording_version", wording_version, 40)):
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise ServiceError(f"invalid_{name}", _("This field is required."), field=name)
    if duration_days is not None and (not isinstance(duration_days, int) or not 1 <= duration_days <= 36500):
        raise ServiceError("invalid_duration", _("A duration is 1 to 36500 days."), field="duration_days")
    if action == ConsentAction.WITHDRAWN and not state_at(org, subject, purpose, at).given:
        raise ServiceError("not_given", _("There is no consent in force to withdraw."), status=409)
    return ConsentRecord.objects.create(
        organisation=org, subject_kind=subject.kind, subject_digest=subject.digest, visitor_id=subject.visitor_id,
        purpose=purpose, channel=channel, action=action, at=at, source=source.strip(),
        wording_version=wording_version.strip(), collector=collector, collector_kind=collector_kind,
        expires_at=at + dt.timedelta(days=duration_days) if duration_days and action == ConsentAction.GIVEN else None,
        recorded_at=now)


@dataclass(frozen=True)
class ConsentState:
    given: bool
    since: dt.datetime | None
    record: ConsentRecord | None


def state_at(org: Organisation, subject: Subject, purpose: str, at: dt.datetime) -> ConsentState:
    """The consent in force at ``at``: the last record at or before it (ties: the later row), unless
    it was a withdrawal or has expired by then."""
    last = (ConsentRecord.objects.for_org(org).filter(subject_digest=subject.digest, purpose=purpose, at__lte=at)
            .order_by("-at", "-id").first())
    if last is None or last.action != ConsentAction.GIVEN:
        return ConsentState(False, last.at if last else None, last)
    if last.expires_at is not None and last.expires_at <= at:
        return ConsentState(False, last.expires_at, last)
    return ConsentState(True, last.at, last)


def has_consent(org: Organisation, subject: Subject, purpose: str) -> bool:
    """The one question every feature asks before acting on consent (withdrawal is immediate)."""
    return state_at(org, subject, purpose, clock.now()).given


def history(org: Organisation, subject: Subject):
    return ConsentRecord.objects.for_org(org).filter(subject_digest=subject.digest).select_related("collector")


def withdraw_all(org: Organisation, visitor_ids: list[int], digest: str, *, source: str) -> int:
    """Withdraw every consent in force for these visitors or this identifier (an objection)."""
    now = clock.now()
    rows = ConsentRecord.objects.for_org(org).filter(visitor_id__in=visitor_ids) | \
        ConsentRecord.objects.for_org(org).filter(subject_digest=digest)
    done, seen = 0, set()
    for kind, subject_digest, visitor_id, purpose in rows.order_by().values_list(
            "subject_kind", "subject_digest", "visitor_id", "purpose").distinct():
        if (subject_digest, purpose) in seen:
            continue
        seen.add((subject_digest, purpose))
        subject = Subject(kind, subject_digest, visitor_id)
        if state_at(org, subject, purpose, now).given:
            record(org, subject, purpose=purpose, channel="web_form", action=ConsentAction.WITHDRAWN, at=now,
                   source=source, wording_version="-", collector=None, collector_kind="system")
            done += 1
    return done


def proof_kept_until(last: ConsentRecord) -> dt.datetime | None:
    """When the proof of a purpose's consent may go: 5 years after it ended; never while in force."""
    if last.action == ConsentAction.WITHDRAWN:
        end = last.at
    elif last.expires_at is not None:
        end = last.expires_at
    else:
        return None
    try:
        return end.replace(year=end.year + PROOF_YEARS)
    except ValueError:  # 29 February
        return end.replace(year=end.year + PROOF_YEARS, day=28)
