"""Retention catalogue and the daily purge (PRV-5, STO-3, TEN-4).

Each data class has a duration and the event its clock starts from. The daily job purges what is
due, in small batches (each its own short transaction, so the live inbox never waits on it: purges
touch only ended conversations, never the open ones the inbox works on), idempotently (one
:class:`RetentionRun` per day; a crashed run resumes where its cursors stopped) and reports counts
per class.

Transcripts are purged the way erasure anonymises (message bodies and attachments emptied, the
text-bearing events deleted, names stripped from the rest): statistics keep their counts. At
contract end + 30 days the organisation's content goes entirely (rows deleted), backups included.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interact.core import clock

from . import storage
from .erasure import scrub_events

log = logging.getLogger(__name__)

CONTRACT_GRACE_DAYS = 30
WEBHOOK_DAYS = 30
PACKAGE_DAYS = 30
ACCESS_LOG_DAYS = 365
REQUEST_TRAIL_YEARS = 5
WEEKLY_BACKUPS_KEPT = 5
BATCH_CONVERSATIONS = 200
BATCH_ROWS = 5000


@dataclass(frozen=True)
class DataClass:
    code: str
    label: str
    holds: str
    duration: str
    start: str


CATALOGUE: tuple[DataClass, ...] = (
    DataClass("content", _("Client content: visitor profiles, notes, conversations"),
              _("Visitors, notes, conversations, statistics"), _("30 days"), _("contract end")),
    DataClass("transcript", _("Transcripts: message text, attachments, live-update events"),
              _("Messages, events"), _("30 days, or the organisation's own shorter transcript retention"),
              _("contract end; with a transcript retention: the conversation's end")),
    DataClass("raw_webhook", _("Raw deliveries from Meta (Facebook)"), _("Webhook bodies"), _("30 days"),
              _("receipt, once processed")),
    DataClass("package", _("Data-subject packages (access, portability)"), _("Generated files"), _("30 days"),
              _("generation")),
    DataClass("access_log", _("Access log"), _("Who opened which profile, conversation or export"),
              _("12 months"), _("the access")),
    DataClass("request_trail", _("Data-subject requests and their audit trail"), _("Requests, steps"),
              _("5 years"), _("closure of the request")),
    DataClass("consent_proof", _("Consent records"), _("Consents given and withdrawn"),
              _("the consent's duration + 5 years"), _("the consent")),
    DataClass("backup", _("Backups"), _("Encrypted copies of configuration and content"),
              _("5 weekly backups; the activation backup until contract end + 30 days"), _("the backup")),
    DataClass("account", _("End-user accounts"), _("Names, e-mail addresses, roles"),
              _("while the account exists; at most contract end + 30 days"), _("deletion of the account")),
)


def settings_of(organisation_id: int):
    from .models import PrivacySettings

    row, _created = PrivacySettings.objects.get_or_create(organisation_id=organisation_id)
    return row


def _held_conversations(organisation_id: int) -> tuple[set[int], set[int]]:
    from .models import LegalHold

    holds = LegalHold.objects.filter(organisation_id=organisation_id, released_at__isnull=True)
    return ({h for h in holds.filter(conversation__isnull=False).values_list("conversation_id", flat=True)},
            set(holds.filter(conversation__isnull=True).values_list("visitor_id", flat=True)))


class Timer:
    """The longest single purge transaction, which is how long a purge can hold row locks."""

    longest = 0.0

    def __init__(self):
        self.start = 0.0

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        Timer.longest = max(Timer.longest, time.perf_counter() - self.start)


def purge_transcripts(organisation_id: int, cutoff: dt.datetime, *, batch: int = BATCH_CONVERSATIONS) -> Counter:
    """Empty the transcripts of conversations that ended at or before ``cutoff``."""
    from interact.conversations.models import Conversation, Message

    from .models import RetentionCursor

    counts: Counter = Counter()
    cursor, _created = RetentionCursor.objects.get_or_create(organisation_id=organisation_id, data_class="transcript")
    held_conversations, held_visitors = _held_conversations(organisation_id)
    while True:
        rows = Conversation.objects.filter(organisation_id=organisation_id, ended_at__isnull=False,
                                           ended_at__lte=cutoff)
        if cursor.after_at is not None:
            rows = rows.filter(Q(ended_at__gt=cursor.after_at) | Q(ended_at=cursor.after_at, pk__gt=cursor.after_id))
        page = list(rows.order_by("ended_at", "pk").values_list("pk", "ended_at", "visitor_id")[:batch])
        if not page:
            break
        ids = [pk for pk, _at, visitor_id in page if pk not in held_conversations and visitor_id not in held_visitors]
        counts["held_conversations"] += len(page) - len(ids)
        with Timer(), transaction.atomic():
            if ids:
                counts["messages"] += Message.objects.filter(conversation_id__in=ids).exclude(
                    body="", meta={}).update(body="", meta={}, delivery_error="")
                counts["events"] += scrub_events(ids)
                counts["conversations"] += len(ids)
            cursor.after_at, cursor.after_id = page[-1][1], page[-1][0]
            cursor.save(update_fields=["after_at", "after_id"])
        if len(page) < batch:
            break
    return counts


def rewind_transcript_cursor(organisation_id: int, since: dt.datetime | None) -> None:
    """A released hold makes its conversations due again: move the cursor back before them."""
    from .models import RetentionCursor

    if since is None:
        return
    RetentionCursor.objects.filter(organisation_id=organisation_id, data_class="transcript",
                                   after_at__gte=since).update(after_at=since - dt.timedelta(microseconds=1),
                                                               after_id=0)


def purge_organisation_content(organisation_id: int, *, batch: int = 100) -> Counter:
    """Contract end + 30 days (STO-3, TEN-4): the organisation's content is deleted for good."""
    from interact.connectors.models import WebhookEvent
    from interact.conversations.models import Conversation, Message, Visitor

    from .models import Backup

    counts: Counter = Counter()
    _held_conv, held_visitors = _held_conversations(organisation_id)
    while True:
        ids = list(Visitor.objects.filter(organisation_id=organisation_id).exclude(pk__in=held_visitors)
                   .order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with Timer(), transaction.atomic():
            conversations = list(Conversation.objects.filter(visitor_id__in=ids).values_list("pk", flat=True))
            counts["messages"] += Message.objects.filter(conversation_id__in=conversations).count()
            counts["conversations"] += len(conversations)
            scrub_events(conversations)
            Visitor.objects.filter(pk__in=ids).delete()
            counts["visitors"] += len(ids)
    counts["held_visitors"] = len(held_visitors)
    counts["webhook_events"] += _delete_in_batches(WebhookEvent.objects.filter(organisation_id=organisation_id))
    for backup in Backup.objects.filter(organisation_id=organisation_id):
        _remove_backup(backup)
        counts["backups"] += 1
    return counts


def _delete_in_batches(queryset) -> int:
    total = 0
    model = queryset.model
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_ROWS])
        if not ids:
            return total
        with Timer(), transaction.atomic():
            total += model.objects.filter(pk__in=ids)._raw_delete(model.objects.db)
        if len(ids) < BATCH_ROWS:
            return total


def _remove_backup(backup) -> None:
    from pathlib import Path

    path = Path(backup.path)
    if path.exists():
        path.unlink()
    backup.delete()


def purge_platform(now: dt.datetime) -> Counter:
    """The classes whose clock does not depend on an organisation's settings."""
    from interact.connectors.models import WebhookEvent

    from . import consent
    from .models import AccessLogEntry, Backup, ConsentRecord, DataSubjectRequest, RequestStep

    counts: Counter = Counter()
    counts["raw_webhooks"] += _delete_in_batches(WebhookEvent.objects.filter(
        received_at__lt=now - dt.timedelta(days=WEBHOOK_DAYS)).exclude(status="pending"))
    for req in DataSubjectRequest.objects.filter(package_at__lt=now - dt.timedelta(days=PACKAGE_DAYS)):
        storage.remove_package(req.organisation_id, req.pk)
        DataSubjectRequest.objects.filter(pk=req.pk).update(package_at=None)
        RequestStep.objects.create(organisation_id=req.organisation_id, request=req, at=now, actor=None,
                                   actor_kind="system", action="package_purged", detail={})
        counts["packages"] += 1
    counts["access_log"] += _delete_in_batches(AccessLogEntry.objects.filter(
        at__lt=now - dt.timedelta(days=ACCESS_LOG_DAYS)))
    trail_cutoff = now.replace(year=now.year - REQUEST_TRAIL_YEARS) if not (now.month == 2 and now.day == 29) else \
        now.replace(year=now.year - REQUEST_TRAIL_YEARS, day=28)
    old = DataSubjectRequest.objects.filter(completed_at__lt=trail_cutoff)
    counts["request_trails"] += old.count()
    old.delete()
    chains = ConsentRecord.objects.order_by().values_list("organisation_id", "subject_digest", "purpose").distinct()
    for organisation_id, digest, purpose in chains.iterator():
        last = ConsentRecord.objects.filter(organisation_id=organisation_id, subject_digest=digest,
                                            purpose=purpose).order_by("-at", "-id").first()
        until = consent.proof_kept_until(last) if last else None
        if until is not None and until <= now:
            counts["consent_records"] += ConsentRecord.objects.filter(
                organisation_id=organisation_id, subject_digest=digest, purpose=purpose).delete()[0]
    for organisation_id in Backup.objects.filter(kind="weekly").values_list("organisation_id", flat=True).distinct():
        for backup in Backup.objects.filter(organisation_id=organisation_id, kind="weekly").order_by(
                "-created_at")[WEEKLY_BACKUPS_KEPT:]:
            _remove_backup(backup)
            counts["backups"] += 1
    return counts


def run_daily_purge(now: dt.datetime | None = None):
    """The daily job: once per day (a second call the same day returns the first run's report)."""
    from django.utils import timezone

    from .models import PrivacySettings, RetentionRun

    now = now or clock.now()
    period = timezone.localdate(now).isoformat()
    run, _created = RetentionRun.objects.get_or_create(job="retention.daily", period=period,
                                                       defaults={"started_at": now})
    if run.finished_at is not None:
        return run
    Timer.longest = 0.0
    totals: Counter = Counter()
    per_org: dict[str, dict] = {}
    today = now.date()
    for row in PrivacySettings.objects.filter(Q(contract_ends_on__isnull=False) |
                                              Q(transcript_retention_days__isnull=False)):
        counts: Counter = Counter()
        if row.contract_ends_on and today >= row.contract_ends_on + dt.timedelta(days=CONTRACT_GRACE_DAYS):
            counts = purge_organisation_content(row.organisation_id)
            counts = Counter({f"content_{k}": v for k, v in counts.items()})
        elif row.transcript_retention_days:
            cutoff = now - dt.timedelta(days=row.transcript_retention_days)
            counts = Counter({f"transcript_{k}": v for k, v in purge_transcripts(row.organisation_id, cutoff).items()})
        if counts:
            per_org[str(row.organisation_id)] = dict(counts)
            totals.update(counts)
    totals.update(purge_platform(now))
    run.report = {"totals": dict(totals), "organisations": per_org,
                  "longest_transaction_seconds": round(Timer.longest, 3)}
    run.finished_at = clock.now()
    run.save(update_fields=["report", "finished_at"])
    log.info("retention purge done", extra={"report": run.report})
    return run
