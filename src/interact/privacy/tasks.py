"""Jobs of the privacy context: the daily retention purge (PRV-5, STO-3) and backups (STO-2).

Both are idempotent by a unique (job, period) row — :class:`RetentionRun` for the purge, the
(organisation, kind, period) constraint of :class:`Backup` — so a job that runs twice, or is
retried after a crash, does its work once.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import backups, retention

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="20"))
def daily_purge() -> None:
    retention.run_daily_purge()


@db_task()
def backup_organisation(organisation_id: int, kind: str) -> None:
    backups.take_backup(organisation_id, kind)


@db_periodic_task(crontab(day_of_week="0", hour="2", minute="10"))
def weekly_backups() -> None:
    """Sunday night: every active organisation, one file each (STO-2)."""
    from interact.accounts.models import Organisation, OrganisationStatus

    for organisation_id in Organisation.objects.filter(status=OrganisationStatus.ACTIVE).values_list("pk", flat=True):
        try:
            backups.take_backup(organisation_id, "weekly")
        except Exception:  # one organisation's failure must not cost the others their backup
            log.exception("weekly backup failed", extra={"organisation": organisation_id})
