"""What an access or portability request delivers (PRV-2, 002 §11.1.1 and §11.1.8).

* **Access**: everything the organisation holds about the person — every declared field of every
  registered model — with, per kind of data, why it is processed, where it came from and who
  receives it; as JSON and as a readable HTML summary.
* **Portability**: only what the person supplied (declared ``supplied_by_person``) and the
  messages they wrote, as structured JSON another service can read.

Generic over :mod:`registry`, so a newly declared field appears in packages without touching this.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from interact.core import clock

from . import registry, storage
from .models import ConsentRecord, DataSubjectRequest, RequestKind

FORMAT_VERSION = 1
# Context shown next to the declared fields, so a row is understandable on its own.
_CONTEXT = {
    "conversations.Visitor": ("id", "channel_id", "created_at", "last_seen_at"),
    "conversations.VisitorNote": ("id", "created_at"),
    "conversations.Message": ("id", "conversation_id", "sender", "created_at"),
    "bots.BotPause": ("reason", "paused_at"),
}


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _rows(model, decl: registry.PersonalModel, visitor_ids: list[int], *, supplied_only: bool) -> list[dict]:
    names = [f.name for f in decl.fields if f.supplied_by_person or not supplied_only]
    if not names:
        return []
    lookup = f"{decl.visitor_path}__in" if decl.visitor_path else "pk__in"
    rows = model.objects.filter(**{lookup: visitor_ids})
    if supplied_only and model._meta.label == "conversations.Message":
        rows = rows.filter(sender="visitor")
    context = _CONTEXT.get(model._meta.label, ("id",))
    return [{k: _plain(v) for k, v in row.items()}
            for row in rows.order_by("pk").values(*context, *names).iterator()]


def build(request: DataSubjectRequest, visitor_ids: list[int]) -> dict:
    supplied_only = request.kind == RequestKind.PORTABILITY
    sections = []
    for model, decl in registry.visitor_models():
        if not decl.export:
            continue
        rows = _rows(model, decl, visitor_ids, supplied_only=supplied_only)
        sections.append({
            "data": model._meta.label, "title": str(model._meta.verbose_name_plural),
            "categories": sorted({str(registry.CATEGORY_LABELS[f.category]) for f in decl.fields}),
            "purpose": str(decl.purpose), "origin": str(decl.origin), "recipients": str(decl.recipients),
            "rows": rows,
        })
    consents = ConsentRecord.objects.filter(organisation_id=request.organisation_id).filter(
        visitor_id__in=visitor_ids) | ConsentRecord.objects.filter(
        organisation_id=request.organisation_id, subject_digest=request.identifier_digest)
    sections.append({
        "data": "privacy.ConsentRecord", "title": "consent records",
        "categories": [], "purpose": "Proof of the consents the person gave or withdrew (PRV-4)",
        "origin": "The person", "recipients": "The organisation",
        "rows": [{k: _plain(v) for k, v in row.items()} for row in consents.distinct().order_by("at", "pk").values(
            "purpose", "channel", "action", "at", "source", "wording_version", "expires_at")],
    })
    return {
        "format": "interact.privacy.package", "version": FORMAT_VERSION,
        "kind": request.kind, "request": request.pk, "organisation": request.organisation.name,
        "controller": request.organisation.name,
        "generated_at": clock.now().isoformat(),
        "found": bool(visitor_ids),
        "sections": sections,
    }


def write(request: DataSubjectRequest, visitor_ids: list[int]) -> Path:
    """Write the package files; returns their folder (``package.json`` and, for access, ``summary.html``)."""
    package = build(request, visitor_ids)
    folder = storage.package_dir(request.organisation_id, request.pk)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(json.dumps(package, indent=2, ensure_ascii=False, default=str))
    if request.kind == RequestKind.ACCESS:
        with translation.override(translation.get_language() or "en"):
            html = render_to_string("privacy/package_summary.html", {"package": package, "req": request})
        (folder / "summary.html").write_text(html)
    return folder


def file_of(request: DataSubjectRequest, name: str) -> Path | None:
    if name not in ("package.json", "summary.html"):
        return None
    path = storage.package_dir(request.organisation_id, request.pk) / name
    return path if path.exists() else None
