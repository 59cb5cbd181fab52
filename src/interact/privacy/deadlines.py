"""Deadline arithmetic of data-subject requests (PRV-2, 002 §11.2), as pure functions of timestamps.

* The controller answers within **30 days**, counted from the moment it has all the information it
  needs (the identity check done): ``due = complete + 30 days``.
* The deadline may be extended **once**, by **at most 60 days**, and only if the person is told
  before the initial deadline passes (the notice must come *before* ``due``).

Calendar days, not working days: the seed says "30 jours" without more, and a shorter count
would be the safe side anyway. Arithmetic is done in UTC: Python adds a timedelta to a
Europe/Brussels datetime on the wall clock, which would make a period spanning a daylight-saving
change an hour longer or shorter.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from interact.core.errors import ServiceError

ANSWER_DAYS = 30
MAX_EXTENSION_DAYS = 60


def initial_due(information_complete_at: dt.datetime) -> dt.datetime:
    if information_complete_at.tzinfo is None:
        raise ValueError("aware datetime required")
    return information_complete_at.astimezone(dt.UTC) + dt.timedelta(days=ANSWER_DAYS)


def check_extension(due_at: dt.datetime | None, already_extended: int, days: int, notice_at: dt.datetime) -> int:
    """The number of days the deadline may move by, or a :class:`ServiceError` saying why not."""
    if due_at is None:
        raise ServiceError("not_started", _("The deadline starts once the identity is checked."), status=409)
    if already_extended:
        raise ServiceError("already_extended", _("The deadline can be extended only once."), status=409)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ServiceError("invalid_extension", _("An extension is 1 to 60 days."), field="days")
    if notice_at >= due_at:
        raise ServiceError("notice_too_late",
                           _("The person must be told of an extension before the initial deadline."), status=409)
    return days


def final_due(due_at: dt.datetime, extended_days: int) -> dt.datetime:
    return due_at.astimezone(dt.UTC) + dt.timedelta(days=extended_days)


def days_left(due_at: dt.datetime, now: dt.datetime) -> int:
    """Whole days until the deadline (negative once overdue), rounded towards the deadline."""
    seconds = (due_at - now).total_seconds()
    return int(seconds // 86400)
