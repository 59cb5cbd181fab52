from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from interact.core import languages

from .models import Weekday
from .services import HOLIDAY_YEARS


class MembersField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class SkillForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False, widget=forms.Textarea)
    members = MembersField(label=_("Members"), required=False,
                           help_text=_("Active Administrators, Supervisors and Agents only."))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(u.pk), f"{u.full_name} ({u.get_role_display()})") for u in candidates]


class TopicForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False, widget=forms.Textarea)


class GeneralSettingsForm(forms.Form):
    routing_enabled = forms.BooleanField(
        label=_("Routing"), required=False,
        help_text=_("Offer each conversation only to end users whose channels, languages and skills match it."))
    dispatch_enabled = forms.BooleanField(
        label=_("Dispatch"), required=False,
        help_text=_("Let Administrators and Supervisors send conversations to chosen end users."))
    offer_timeout_seconds = forms.IntegerField(
        label=_("Offer time (seconds)"), min_value=15, max_value=3600, initial=60, required=False,
        help_text=_("With routing on, a conversation offered to someone who does not take it within this time "
                    "is offered to the next matching end user."))


class LanguageForm(forms.Form):
    code = forms.ChoiceField(label=_("Language"))

    def __init__(self, *args, taken: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(c, n) for c, n in languages.choices() if c not in taken]


class PeriodForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    opens = forms.TimeField(label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closes = forms.TimeField(label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                             help_text=_("At or before the opening time: the period ends the next day."))


class ClosureForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    label = forms.CharField(label=_("Reason"), max_length=120)


class HolidayImportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=HOLIDAY_YEARS[0], max_value=HOLIDAY_YEARS[1])
