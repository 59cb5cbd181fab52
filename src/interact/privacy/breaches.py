"""The breach register (PRV-7, GDPR art. 33–34).

The operator records every personal-data breach, whether or not it must be notified (art. 33(5)).
The supervisory authority must be notified within **72 hours of becoming aware** of the breach;
a later notification carries the reasons for the delay. As processor, the operator notifies each
affected organisation (the controller) without undue delay; each organisation sees the breach in
its privacy centre, acknowledges it and records whether and when it informed the people concerned
(art. 34, needed when the risk to them is high).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from interact.core import clock
from interact.core.errors import Conflict, ServiceError

from .models import Breach, BreachNotice

AUTHORITY_HOURS = 72


def authority_deadline(aware_at: dt.datetime) -> dt.datetime:
    return aware_at + dt.timedelta(hours=AUTHORITY_HOURS)


def is_late(breach: Breach, now: dt.datetime) -> bool:
    """Past the 72 hours without the authority notified, or notified after them."""
    deadline = authority_deadline(breach.aware_at)
    if breach.authority_notified_at is None:
        return now > deadline
    return breach.authority_notified_at > deadline


def _text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ServiceError(f"invalid_{field}", _("This field is required.") if required else _("Too long."),
                           field=field)
    return value.strip()


@transaction.atomic
def record_breach(staff, *, aware_at: dt.datetime, description: str, occurred_at: dt.datetime | None = None,
                  categories: str = "", approx_subjects: int | None = None, consequences: str = "",
                  measures: str = "", high_risk: bool = False) -> Breach:
    now = clock.now()
    if aware_at > now + dt.timedelta(minutes=5):
        raise ServiceError("invalid_aware_at", _("Awareness cannot be in the future."), field="aware_at")
    if occurred_at is not None and occurred_at > aware_at:
        raise ServiceError("invalid_occurred_at", _("A breach occurs before anyone becomes aware of it."),
                           field="occurred_at")
    return Breach.objects.create(
        recorded_by=staff, recorded_at=now, aware_at=aware_at, occurred_at=occurred_at,
        description=_text(description, "description", 4000, required=True),
        categories=_text(categories, "categories", 1000), approx_subjects=approx_subjects,
        consequences=_text(consequences, "consequences", 2000), measures=_text(measures, "measures", 2000),
        high_risk=bool(high_risk))


@transaction.atomic
def notify_authority(breach: Breach, *, reference: str, late_reason: str = "") -> Breach:
    if breach.authority_notified_at is not None:
        raise Conflict("already_notified", _("The authority was already notified."))
    now = clock.now()
    reference = _text(reference, "reference", 100, required=True)
    late_reason = _text(late_reason, "late_reason", 2000)
    if now > authority_deadline(breach.aware_at) and not late_reason:
        raise ServiceError("late_reason_required",
                           _("More than 72 hours passed: give the reasons for the delay (art. 33(1))."),
                           field="late_reason")
    breach.authority_notified_at = now
    breach.authority_reference = reference
    breach.late_reason = late_reason
    breach.save(update_fields=["authority_notified_at", "authority_reference", "late_reason"])
    return breach


@transaction.atomic
def notify_organisations(breach: Breach, organisation_ids: list[int]) -> int:
    from interact.accounts.models import Organisation

    now = clock.now()
    done = 0
    for org in Organisation.objects.filter(pk__in=organisation_ids):
        _notice, created = BreachNotice.objects.get_or_create(breach=breach, organisation=org,
                                                              defaults={"notified_at": now})
        done += created
    return done


@transaction.atomic
def acknowledge(notice: BreachNotice, user, *, subjects_notified: bool = False, note: str = "") -> BreachNotice:
    now = clock.now()
    if notice.acknowledged_at is None:
        notice.acknowledged_at = now
        notice.acknowledged_by = user
    if subjects_notified and notice.subjects_notified_at is None:
        notice.subjects_notified_at = now
    notice.subjects_note = _text(note, "note", 2000) or notice.subjects_note
    notice.save(update_fields=["acknowledged_at", "acknowledged_by", "subjects_notified_at", "subjects_note"])
    return notice
