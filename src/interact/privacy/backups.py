"""Backups of one organisation and their restore (STO-1, STO-2), without resurrecting anyone (PRV-3).

A backup is every row of the organisation in every context (configuration, end users, content,
statistics), serialised with Django's serialiser, gzipped and encrypted with the installation's
key (:mod:`interact.core.crypto`), one file per backup under ``INTERACT_DATA_DIR``. One is taken
when the organisation is activated (003 §4.2 step 3) and one every week.

A restore replaces the organisation's rows by the backup's, then **replays the erasure log**: every
person erased since (or before) the backup is erased again before the transaction commits, so no
erased person is ever visible, not even for a moment. The privacy context's own records (requests,
consent proofs, the erasure log, the access log, holds) are never in a backup and never rolled
back: evidence does not travel back in time.

Backup files are not rewritten when someone is erased: they are encrypted, kept 5 weeks (the
retention job deletes older ones) and every way back into the database goes through the replay.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
import secrets
from collections import Counter

from django.apps import apps
from django.core import serializers
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from interact.core import clock
from interact.core.crypto import _current as _fernet  # the installation's keys, rotation included

from . import storage
from .models import Backup, BackupKind, Restore

log = logging.getLogger(__name__)

FORMAT = "interact.backup"
VERSION = 1
# Rows never restored: the privacy context's evidence, and the configuration snapshots of
# activation (superseded by full backups, and bulky).
_SKIP_APPS = {"privacy"}
_SKIP_MODELS = {"accounts.ConfigurationBackup"}
# Rows restored by update-or-insert, never deleted first (a restore must not sign people out or
# drop accounts created since; their content references stay valid either way).
_UPSERT_ONLY = {"accounts.User"}


def _org_fk(model) -> str | None:
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey) and f.related_model is not None and \
                f.related_model._meta.label == "accounts.Organisation":
            return f.name
    return None


def backed_up_models() -> list[type[models.Model]]:
    """Every model of the product with an organisation foreign key, parents before children."""
    chosen = [m for m in apps.get_models()
              if m.__module__.startswith("interact.") and m._meta.app_label not in _SKIP_APPS
              and m._meta.label not in _SKIP_MODELS and _org_fk(m) is not None]
    labels = {m._meta.label for m in chosen}
    deps = {m._meta.label: {f.related_model._meta.label for f in m._meta.concrete_fields
                            if isinstance(f, models.ForeignKey) and f.related_model._meta.label in labels
                            and f.related_model is not m}
            for m in chosen}
    ordered: list[str] = []
    while deps:
        ready = sorted(label for label, needs in deps.items() if not needs - set(ordered))
        if not ready:
            raise RuntimeError(f"circular foreign keys among {sorted(deps)}")
        ordered.extend(ready)
        for label in ready:
            del deps[label]
    return [apps.get_model(label) for label in ordered]


def snapshot(organisation_id: int) -> dict:
    data = {}
    for model in backed_up_models():
        rows = model._default_manager.filter(**{_org_fk(model): organisation_id}).order_by("pk")
        data[model._meta.label] = json.loads(serializers.serialize("json", rows))
    return {"format": FORMAT, "version": VERSION, "organisation": organisation_id,
            "taken_at": clock.now().isoformat(), "models": data}


def _encrypt(payload: dict) -> bytes:
    return _fernet().encrypt(gzip.compress(json.dumps(payload, default=str).encode(), compresslevel=6))


def read(backup: Backup) -> dict:
    from pathlib import Path

    raw = Path(backup.path).read_bytes()
    if hashlib.sha256(raw).hexdigest() != backup.sha256:
        raise ValueError("backup file does not match its checksum")
    return json.loads(gzip.decompress(_fernet().decrypt(raw)))


def period_of(kind: str, at: dt.datetime) -> str:
    if kind == BackupKind.WEEKLY:
        year, week, _day = timezone.localdate(at).isocalendar()
        return f"{year}-W{week:02d}"
    if kind == BackupKind.ACTIVATION:
        return "activation"
    return at.strftime("%Y%m%dT%H%M%S") + f".{at.microsecond // 1000:03d}"  # fits the 20-character period


def take_backup(organisation_id: int, kind: str = BackupKind.MANUAL, *, period: str | None = None) -> Backup:
    """Write one backup; idempotent per (organisation, kind, period), so a weekly job that runs
    twice in a week, or a retried activation, writes one file."""
    now = clock.now()
    period = period or period_of(kind, now)
    existing = Backup.objects.filter(organisation_id=organisation_id, kind=kind, period=period).first()
    if existing is not None:
        return existing
    payload = snapshot(organisation_id)
    blob = _encrypt(payload)
    folder = storage.backup_dir(organisation_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-{period}-{secrets.token_hex(4)}.bin"
    path.write_bytes(blob)
    try:
        with transaction.atomic():
            return Backup.objects.create(
                organisation_id=organisation_id, kind=kind, period=period, path=str(path), size=len(blob),
                sha256=hashlib.sha256(blob).hexdigest(), rows=sum(len(v) for v in payload["models"].values()),
                created_at=now)
    except IntegrityError:  # a concurrent run won: keep its file, drop ours
        path.unlink(missing_ok=True)
        return Backup.objects.get(organisation_id=organisation_id, kind=kind, period=period)


def restore(backup: Backup, actor=None) -> Restore:
    """Replace the organisation's rows with the backup's, then replay the erasure log, in one
    transaction: either the organisation is restored with every erasure applied, or nothing changed."""
    from .erasure import replay_erasures

    payload = read(backup)
    if payload.get("format") != FORMAT or payload.get("organisation") != backup.organisation_id:
        raise ValueError("not a backup of this organisation")
    organisation_id = backup.organisation_id
    order = backed_up_models()
    counts: Counter = Counter()
    with transaction.atomic():
        for model in reversed(order):
            if model._meta.label in _UPSERT_ONLY:
                continue
            model._default_manager.filter(**{_org_fk(model): organisation_id}).delete()
        for model in order:
            rows = payload["models"].get(model._meta.label, [])
            if not rows:
                continue
            restored = list(serializers.deserialize("json", json.dumps(rows)))
            if model._meta.label in _UPSERT_ONLY:
                for item in restored:
                    item.save()
            else:
                model._default_manager.bulk_create([item.object for item in restored], batch_size=1000)
                for item in restored:
                    for name, ids in (item.m2m_data or {}).items():
                        getattr(item.object, name).set(ids)
            counts[model._meta.label] = len(restored)
        replayed = replay_erasures(organisation_id)
        record = Restore.objects.create(organisation_id=organisation_id, backup=backup, restored_at=clock.now(),
                                        restored_by=actor, report={"rows": dict(counts), "erasures_replayed": replayed})
    log.info("organisation restored", extra={"organisation": organisation_id, "backup": backup.pk})
    return record


def activation_step_recorded(sender, instance, created: bool = False, **kwargs) -> None:
    """``post_save`` of the activation step "configuration backed up": take the first full backup."""
    if not created or instance.step != "configuration_backup":
        return
    organisation_id = instance.organisation_id

    def later() -> None:
        from .tasks import backup_organisation

        backup_organisation(organisation_id, BackupKind.ACTIVATION)

    transaction.on_commit(later)
