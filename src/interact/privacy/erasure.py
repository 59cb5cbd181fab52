"""Erasure (PRV-3): a visitor's personal data goes from every store, generically over the registry.

What "erased" means here is *irreversible anonymisation* of the rows statistics still count:

* the visitor row stays as an empty husk (a random identifier, no name, no contact data), so the
  conversations and the statistics built on them keep their counts — aggregates stay, identities go;
* message rows stay with an empty body and no attachments or metadata; the PostgreSQL full-text
  index is an expression index on the body, so it forgets the words in the same statement;
* notes and the bot's per-visitor pause are deleted;
* the live-update log loses every event that carried text, and the rest lose the keys that named
  someone (``visitor_name``…), keeping what statistics read (kinds, times, assignee);
* raw Meta webhook bodies lose the person's entries (other people's entries in the same delivery
  stay); a body left empty is deleted;
* data-subject packages already generated for the person are deleted, and earlier requests about
  them forget the identifier;
* a row is written to the erasure log (ids and keyed hashes only) so a restore replays the
  erasure (STO-2).

Records under a legal hold stay, and the report lists them with the reason. Consent proofs stay
too: they hold only a keyed hash and are themselves evidence (002 §6.3.2.5).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, models, transaction

from interact.core import clock

from . import identity, registry, storage
from .models import DataSubjectRequest, ErasureRecord, LegalHold

# Event kinds whose payload statistics read; other kinds of an erased conversation are deleted.
_KEEP_EVENT_KINDS = (
    "conversation.bot", "conversation.queued", "conversation.requeued", "conversation.taken",
    "conversation.assigned", "conversation.ended", "conversation.archived", "bot.handover",
    "bot.restarted", "bot.paused", "conversation.offered", "conversation.updated",
)
# Keys of a kept event's payload that can name or quote a person.
PERSONAL_EVENT_KEYS = ("visitor_name", "name", "body", "meta", "author", "assignee_name", "text", "detail",
                       "client_id", "first_name", "last_name", "email", "phone", "message")


@dataclass
class ErasureReport:
    visitors: int = 0
    conversations: int = 0
    messages: int = 0
    notes: int = 0
    events: int = 0
    webhook_events: int = 0
    packages: int = 0
    held: list[dict] = field(default_factory=list)

    def add(self, other: ErasureReport) -> None:
        for name in ("visitors", "conversations", "messages", "notes", "events", "webhook_events", "packages"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.held.extend(other.held)

    def as_dict(self) -> dict:
        return {"visitors": self.visitors, "conversations": self.conversations, "messages": self.messages,
                "notes": self.notes, "events": self.events, "webhook_events": self.webhook_events,
                "packages": self.packages, "held": self.held}


def _blank_value(f: models.Field):
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.CharField | models.TextField):
        return ""
    return None


def _field_updates(model: type[models.Model], decl: registry.PersonalModel) -> dict:
    updates = {}
    for pf in decl.fields:
        f = model._meta.get_field(pf.name)
        if pf.erase in (registry.Erase.BLANK, registry.Erase.EMPTY_JSON):
            updates[pf.name] = {} if pf.erase == registry.Erase.EMPTY_JSON else _blank_value(f)
    return updates


def scrub_events(conversation_ids: list[int]) -> int:
    """Delete the text-bearing events of these conversations and strip the personal keys of the
    rest, in two statements whatever the number of events (the purge runs this on big batches)."""
    from interact.conversations.models import Event

    if not conversation_ids:
        return 0
    # Events have no dependants: a plain DELETE, without Django collecting the rows first.
    deleted = Event.objects.filter(conversation_id__in=conversation_ids).exclude(
        kind__in=_KEEP_EVENT_KINDS)._raw_delete(Event.objects.db)
    table = Event._meta.db_table
    in_list = ", ".join(["%s"] * len(conversation_ids))  # one bound parameter per id
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"UPDATE {table} SET payload = payload - %s::text[] "  # noqa: S608 - table name only
                           f"WHERE conversation_id IN ({in_list})",
                           [list(PERSONAL_EVENT_KEYS), *conversation_ids])
        else:
            paths = ", ".join(f"'$.{key}'" for key in PERSONAL_EVENT_KEYS)
            cursor.execute(f"UPDATE {table} SET payload = json_remove(payload, {paths}) "  # noqa: S608
                           f"WHERE conversation_id IN ({in_list})", conversation_ids)
    return deleted


def redact_webhook_body(body: bytes, psid: str) -> bytes | None:
    """The raw Meta body without the entries sent by or to this person; ``None`` if nothing is left."""
    try:
        data = json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError):
        return None  # unreadable and mentioning the person: nothing worth keeping
    entries = data.get("entry") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return None
    kept_entries = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        entry = dict(entry)
        for key in ("messaging", "standby"):
            if isinstance(entry.get(key), list):
                entry[key] = [item for item in entry[key] if psid not in json.dumps(item)]
        if isinstance(entry.get("changes"), list):
            entry["changes"] = [item for item in entry["changes"] if psid not in json.dumps(item)]
        if psid in json.dumps(entry):
            continue  # mentioned somewhere we do not understand: the whole entry goes
        if entry.get("messaging") or entry.get("changes") or entry.get("standby"):
            kept_entries.append(entry)
    if not kept_entries:
        return None
    return json.dumps({**data, "entry": kept_entries}).encode()


def _webhooks_mentioning(organisation_id: int, needle: bytes):
    from interact.connectors.models import WebhookEvent

    rows = WebhookEvent.objects.filter(organisation_id=organisation_id)
    if connection.vendor == "postgresql":
        rows = rows.extra(where=["position(%s::bytea in body) > 0"], params=[needle])  # noqa: S610
    else:
        rows = rows.extra(where=["instr(body, %s) > 0"], params=[needle])  # noqa: S610
    return rows


def redact_webhooks(organisation_id: int, psid: str) -> int:
    from interact.connectors.models import WebhookEvent

    if not psid:
        return 0
    touched = 0
    for pk, body in _webhooks_mentioning(organisation_id, psid.encode()).values_list("pk", "body").iterator():
        redacted = redact_webhook_body(body, psid)
        if redacted is None:
            WebhookEvent.objects.filter(pk=pk).delete()
        else:
            WebhookEvent.objects.filter(pk=pk).update(body=redacted)
        touched += 1
    return touched


def active_holds(visitor) -> list[LegalHold]:
    return list(LegalHold.objects.filter(visitor_id=visitor.pk, released_at__isnull=True))


def _end_open_conversations(visitor, held_ids: set[int]) -> None:
    from interact.conversations import services as conversations
    from interact.conversations.models import OPEN_STATUSES, Conversation

    for conv in Conversation.objects.filter(visitor_id=visitor.pk, status__in=OPEN_STATUSES).exclude(pk__in=held_ids):
        conversations.end(conv, None)


@transaction.atomic
def erase_visitor(visitor, *, request: DataSubjectRequest | None = None, replay: bool = False,
                  now: dt.datetime | None = None) -> ErasureReport:
    """Erase one visitor row and everything about it, except what a legal hold keeps."""
    from interact.conversations.models import Conversation

    now = now or clock.now()
    report = ErasureReport()
    holds = active_holds(visitor)
    whole = [h for h in holds if h.conversation_id is None]
    if whole:
        report.held = [{"kind": "visitor", "id": visitor.pk, "reason": h.reason} for h in whole]
        return report
    held_ids = {h.conversation_id for h in holds}
    report.held = [{"kind": "conversation", "id": h.conversation_id, "reason": h.reason} for h in holds]
    if not replay:
        _end_open_conversations(visitor, held_ids)
    digests = identity.visitor_digests(visitor)
    psid = visitor.external_id if visitor.channel.page_id else ""
    conversation_ids = list(Conversation.objects.filter(visitor_id=visitor.pk).exclude(pk__in=held_ids)
                            .values_list("pk", flat=True))
    report.conversations = len(conversation_ids)

    for model, decl in registry.visitor_models():
        if model._meta.label == "conversations.Event":
            report.events += scrub_events(conversation_ids)
            continue
        lookup = decl.visitor_path or "pk"
        rows = model.objects.filter(**{lookup: visitor.pk})
        if decl.conversation_path and held_ids:
            rows = rows.exclude(**{f"{decl.conversation_path}__in": held_ids})
        if any(pf.erase == registry.Erase.DELETE_ROW for pf in decl.fields):
            count, _ = rows.delete()
            if model._meta.label == "conversations.VisitorNote":
                report.notes += count
            continue
        updates = _field_updates(model, decl)
        if any(pf.erase == registry.Erase.PSEUDONYM for pf in decl.fields):
            for pf in decl.fields:
                if pf.erase == registry.Erase.PSEUDONYM:
                    updates[pf.name] = f"erased-{secrets.token_hex(12)}"
        if model._meta.label == "conversations.Visitor":
            updates["verified"] = False
        count = rows.update(**updates) if updates else 0
        if model._meta.label == "conversations.Message":
            report.messages += count
        elif model._meta.label == "conversations.Visitor":
            report.visitors += count

    report.webhook_events = redact_webhooks(visitor.organisation_id, psid)
    report.packages = _forget_requests(visitor, digests, keep=request)
    cache.delete_many([f"widget-tabs:{visitor.pk}"])
    if not replay:
        ErasureRecord.objects.create(organisation_id=visitor.organisation_id, visitor_id=visitor.pk,
                                     channel_id=visitor.channel_id, digests=digests, request=request,
                                     erased_at=now, held=report.held, report=report.as_dict())
    return report


def _forget_requests(visitor, digests: list[str], keep: DataSubjectRequest | None) -> int:
    """Earlier requests about the person forget the identifier; their packages are deleted."""
    requests = DataSubjectRequest.objects.filter(organisation_id=visitor.organisation_id).only(
        "pk", "organisation_id", "visitor_ids", "identifier_digest")
    removed = 0
    for req in requests.iterator():
        if visitor.pk not in (req.visitor_ids or []) and req.identifier_digest not in digests:
            continue
        removed += storage.remove_package(req.organisation_id, req.pk)
        if keep is None or req.pk != keep.pk:
            DataSubjectRequest.objects.filter(pk=req.pk).update(identifier="", changes={}, notes="")
    return removed


def erase_visitors(visitors, *, request: DataSubjectRequest | None = None) -> ErasureReport:
    total = ErasureReport()
    for visitor in visitors:
        total.add(erase_visitor(visitor, request=request))
    return total


def replay_erasures(organisation_id: int) -> int:
    """Apply the erasure log again (after a restore): every visitor row that was erased, and any
    restored row recognised by a keyed hash of its identifiers, is erased again."""
    from interact.conversations.models import Visitor

    records = list(ErasureRecord.objects.filter(organisation_id=organisation_id).values_list("visitor_id", "digests"))
    if not records:
        return 0
    ids = {visitor_id for visitor_id, _ in records}
    wanted = {d for _, digests in records for d in digests}
    again = 0
    for visitor in Visitor.objects.filter(organisation_id=organisation_id).select_related("channel").iterator():
        if visitor.external_id.startswith("erased-") and not (visitor.first_name or visitor.email):
            continue
        if visitor.pk in ids or wanted.intersection(identity.visitor_digests(visitor)):
            erase_visitor(visitor, replay=True)
            again += 1
    return again
