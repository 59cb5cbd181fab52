"""Every write of portal administration: one function per use case, each in a transaction.

Services validate everything they are given (views and the API only parse) and raise
:class:`ServiceError` / :class:`Conflict` with a stable ``code`` and a translated message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import holidays
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from interact.accounts.models import Organisation, User
from interact.core import languages
from interact.core.calendar import is_overnight
from interact.core.errors import Conflict, ServiceError
from interact.core.permissions import Role

from . import selectors
from .models import ClosureDay, GeneralSettings, Language, OfficeHoursPeriod, Skill, Topic, Weekday

DEFAULT_LANGUAGES = ("fr", "nl", "en")
MEMBER_ROLES = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.AGENT)
HOLIDAY_YEARS = (2000, 2100)


@transaction.atomic
def initialise_organisation(org: Organisation) -> None:
    """What a new organisation starts with: settings (routing and dispatch off) and Belgium's languages."""
    GeneralSettings.objects.get_or_create(organisation=org)
    for code in DEFAULT_LANGUAGES:
        Language.objects.get_or_create(organisation=org, code=code)


# --- members (ADM-2, ADM-4) ------------------------------------------------------------------


def resolve_members(org: Organisation, user_ids: Iterable[int], field_name: str = "members") -> list[User]:
    """Active Administrators, Supervisors and Agents of ``org``; anything else is refused.

    An id of another organisation is refused exactly like an unknown one (IAM-5).
    """
    wanted = set(user_ids)
    found = {u.pk: u for u in User.objects.filter(organisation=org, pk__in=[i for i in wanted if 0 < i < 2**31])}
    if set(found) != wanted:
        raise ServiceError("unknown_user", _("Unknown end user."), field=field_name)
    if any(not u.is_active or u.role not in MEMBER_ROLES for u in found.values()):
        raise ServiceError("not_eligible", _("Only active Administrators, Supervisors and Agents can be members."),
                           field=field_name)
    return list(found.values())


# --- skills and topics (ADM-2, ADM-3) -------------------------------------------------------


@dataclass
class NamedData:
    name: str
    description: str = ""
    members: list[int] = field(default_factory=list)


def _clean_named(model, org: Organisation, data: NamedData, instance) -> tuple[str, str]:
    name, description = data.name.strip(), data.description.strip()
    if not name:
        raise ServiceError("name_required", _("Give it a name."), field="name")
    if len(name) > 100:
        raise ServiceError("name_too_long", _("The name has at most 100 characters."), field="name")
    if len(description) > 2000:
        raise ServiceError("description_too_long", _("The description has at most 2,000 characters."),
                           field="description")
    clash = model.objects.for_org(org).filter(name__iexact=name)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise Conflict("name_taken", _("This name is already used (names are compared without case)."),
                       field="name")
    return name, description


def _save_named(model, org: Organisation, data: NamedData, instance):
    name, description = _clean_named(model, org, data, instance)
    if instance is None:
        instance = model(organisation=org)
    instance.name, instance.description = name, description
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent request took the name between the check and the write
        raise Conflict("name_taken", _("This name is already used (names are compared without case)."),
                       field="name") from exc
    return instance


@transaction.atomic
def save_skill(org: Organisation, data: NamedData, instance: Skill | None = None) -> Skill:
    members = resolve_members(org, data.members)
    skill = _save_named(Skill, org, data, instance)
    skill.members.set(members)
    return skill


@transaction.atomic
def delete_skill(skill: Skill) -> None:
    """Members simply lose the skill; nothing else refers to it yet."""
    skill.delete()


@transaction.atomic
def save_topic(org: Organisation, data: NamedData, instance: Topic | None = None) -> Topic:
    return _save_named(Topic, org, data, instance)


@transaction.atomic
def delete_topic(topic: Topic) -> None:
    topic.delete()


# --- general settings and languages (ADM-5) ----------------------------------------------------


@transaction.atomic
def update_general_settings(org: Organisation, *, routing_enabled: bool, dispatch_enabled: bool,
                            offer_timeout_seconds: int | None = None) -> GeneralSettings:
    row, _created = GeneralSettings.objects.select_for_update().get_or_create(organisation=org)
    row.routing_enabled, row.dispatch_enabled = bool(routing_enabled), bool(dispatch_enabled)
    if offer_timeout_seconds is not None:
        if not 15 <= offer_timeout_seconds <= 3600:
            raise ServiceError("invalid_offer_timeout", _("The offer time is between 15 and 3600 seconds."),
                               field="offer_timeout_seconds")
        row.offer_timeout_seconds = offer_timeout_seconds
    row.save()
    return row


@transaction.atomic
def add_language(org: Organisation, code: str) -> Language:
    code = (code or "").strip().lower()
    if not languages.is_known(code):
        raise ServiceError("invalid_language", _("Unknown language."), field="code")
    if Language.objects.for_org(org).filter(code=code).exists():
        raise Conflict("language_exists", _("This language is already in the list."), field="code")
    try:
        with transaction.atomic():
            return Language.objects.create(organisation=org, code=code)
    except IntegrityError as exc:
        raise Conflict("language_exists", _("This language is already in the list."), field="code") from exc


@transaction.atomic
def remove_language(language: Language) -> None:
    """End users who spoke it lose it from their profile (the link rows go with the language)."""
    language.delete()


# --- office hours and closure days (ADM-6) -----------------------------------------------------

WEEK_MINUTES = 7 * 24 * 60


def _week_span(weekday: int, opens: dt.time, closes: dt.time) -> tuple[int, int]:
    """Minutes since Monday 00:00 of the start and end; the end may pass the week's end."""
    start = weekday * 1440 + opens.hour * 60 + opens.minute
    length = (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
    if is_overnight(opens, closes):
        length += 1440
    return start, start + length


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Shift by whole weeks so Sunday night wrapping into Monday is compared too.
    return any(a[0] < b[1] + shift and b[0] + shift < a[1] for shift in (-WEEK_MINUTES, 0, WEEK_MINUTES))


def describe_period(period: OfficeHoursPeriod) -> str:
    return f"{Weekday(period.weekday).label} {period.opens:%H:%M}–{period.closes:%H:%M}"


@transaction.atomic
def add_period(org: Organisation, weekday: int, opens: dt.time, closes: dt.time) -> OfficeHoursPeriod:
    """Several periods per day; ``closes <= opens`` runs past midnight; no two periods overlap."""
    if weekday not in Weekday.values:
        raise ServiceError("invalid_weekday", _("Choose a day from Monday to Sunday."), field="weekday")
    opens, closes = opens.replace(second=0, microsecond=0), closes.replace(second=0, microsecond=0)
    if opens == closes:
        raise ServiceError("empty_period", _("A period cannot open and close at the same time."), field="closes")
    # Lock the organisation's periods so two concurrent additions cannot both pass the overlap check.
    list(Organisation.objects.select_for_update().filter(pk=org.pk).values_list("pk", flat=True))
    new_span = _week_span(weekday, opens, closes)
    for other in OfficeHoursPeriod.objects.for_org(org):
        if _overlaps(new_span, _week_span(other.weekday, other.opens, other.closes)):
            raise Conflict("period_overlap", _("This period overlaps %(other)s.") % {"other": describe_period(other)},
                           field="opens")
    return OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=opens, closes=closes)


@transaction.atomic
def delete_period(period: OfficeHoursPeriod) -> None:
    period.delete()


@transaction.atomic
def add_closure(org: Organisation, date: dt.date, label: str, source: str = "manual") -> ClosureDay:
    label = (label or "").strip()
    if not label:
        raise ServiceError("label_required", _("Say why the office is closed that day."), field="label")
    if len(label) > 120:
        raise ServiceError("label_too_long", _("The label has at most 120 characters."), field="label")
    if not dt.date(HOLIDAY_YEARS[0], 1, 1) <= date <= dt.date(HOLIDAY_YEARS[1], 12, 31):
        raise ServiceError("invalid_date", _("Choose a date between 2000 and 2100."), field="date")
    if ClosureDay.objects.for_org(org).filter(date=date).exists():
        raise Conflict("date_taken", _("That day is already a closure day."), field="date")
    try:
        with transaction.atomic():
            return ClosureDay.objects.create(organisation=org, date=date, label=label, source=source)
    except IntegrityError as exc:
        raise Conflict("date_taken", _("That day is already a closure day."), field="date") from exc


@transaction.atomic
def delete_closure(closure: ClosureDay) -> None:
    closure.delete()


def holiday_language(ui_language: str | None) -> str:
    """The `holidays` package names Belgian holidays in fr, nl and en_US (and de, uk)."""
    code = (ui_language or "").split("-")[0].split("_")[0].lower()
    return code if code in ("fr", "nl", "de") else "en_US"


@transaction.atomic
def import_belgian_holidays(org: Organisation, year: int, ui_language: str | None = None) -> list[ClosureDay]:
    """Adds Belgium's public holidays of ``year`` as closure days; days already closed are left alone,
    so importing twice adds nothing."""
    if not isinstance(year, int) or not HOLIDAY_YEARS[0] <= year <= HOLIDAY_YEARS[1]:
        raise ServiceError("invalid_year", _("Choose a year between 2000 and 2100."), field="year")
    calendar = holidays.country_holidays("BE", years=year, language=holiday_language(ui_language))
    taken = set(ClosureDay.objects.for_org(org).filter(date__year=year).values_list("date", flat=True))
    added = [
        ClosureDay(organisation=org, date=day, label=str(name)[:120], source="holidays")
        for day, name in sorted(calendar.items())
        if day not in taken
    ]
    ClosureDay.objects.bulk_create(added, ignore_conflicts=True)
    selectors.forget_calendar(org.pk)  # bulk_create sends no post_save
    return added
