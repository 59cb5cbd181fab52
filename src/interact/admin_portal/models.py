"""Skills, topics, languages, general settings, office hours and closure days (ADM-2..6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from interact.core import languages
from interact.core.models import TenantModel


class Skill(TenantModel):
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="skills", blank=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [models.UniqueConstraint("organisation", Lower("name"), name="skill_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Topic(TenantModel):
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        ordering = [Lower("name")]
        constraints = [models.UniqueConstraint("organisation", Lower("name"), name="topic_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Language(TenantModel):
    """A language the organisation's end users may speak, offered in their profiles (ADM-5)."""

    code = models.CharField(_("language"), max_length=8, choices=languages.choices)
    speakers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="languages", blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="language_once_per_org")]

    def __str__(self) -> str:
        return languages.name(self.code)

    @property
    def name(self) -> str:
        return languages.name(self.code)


class GeneralSettings(TenantModel):
    routing_enabled = models.BooleanField(_("conversation routing"), default=False)
    dispatch_enabled = models.BooleanField(_("dispatch"), default=False)
    offer_timeout_seconds = models.PositiveSmallIntegerField(
        _("seconds before an offered conversation goes to someone else"), default=60)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="one_settings_per_org")]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OfficeHoursPeriod(TenantModel):
    """An opening period on a weekday, local time. ``closes <= opens`` means it runs past midnight."""

    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="period_weekday_valid"),
            models.CheckConstraint(condition=~Q(opens=F("closes")), name="period_not_empty"),
        ]


class ClosureDay(TenantModel):
    date = models.DateField(_("date"))
    label = models.CharField(_("label"), max_length=120)
    source = models.CharField(max_length=20, default="manual")

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["organisation", "date"], name="closure_day_once")]
