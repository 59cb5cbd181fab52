"""Forms of the Inbox and History pages (CNV-3..7): they parse and type the input; the rules
themselves live in the services, whose errors the views put back on these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from interact.core import languages

from .models import MESSAGE_MAX_CHARS
from .selectors import HistoryFilters


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=MESSAGE_MAX_CHARS, strip=True,
                           widget=forms.Textarea(attrs={"rows": 3}))
    client_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None, empty_label=None)

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = handlers
        self.fields["assignee"].label_from_instance = lambda user: user.full_name


class SkillsForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(label=_("Skills needed"), queryset=None, required=False,
                                            widget=forms.CheckboxSelectMultiple(attrs={"class": "chips"}))

    def __init__(self, *args, skills, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = skills


class ArchiveForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=None, widget=forms.CheckboxSelectMultiple(attrs={"class": "chips"}),
        error_messages={"required": _("Choose at least one topic.")})

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = topics


class VisitorProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("New note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class HistoryFilterForm(forms.Form):
    """GET filters of History (CNV-7); every field optional, invalid values become form errors."""

    text = forms.CharField(label=_("Words in the messages"), max_length=200, required=False)
    visitor = forms.CharField(label=_("Visitor name"), max_length=100, required=False)
    end_user = forms.CharField(label=_("End user name"), max_length=100, required=False)
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=None, required=False, empty_label=_("All"))
    language = forms.ChoiceField(label=_("Language"), required=False)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=None, required=False, empty_label=_("All"))
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=None, required=False, empty_label=_("All"))
    since = forms.DateField(label=_("Ended from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(label=_("Ended until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, channels, topics, skills, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels
        self.fields["topic"].queryset = topics
        self.fields["skill"].queryset = skills
        self.fields["language"].choices = [("", _("All")), *languages.choices()]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        return data

    def filters(self) -> HistoryFilters:
        data = self.cleaned_data
        return HistoryFilters(
            channel=data["channel"].pk if data.get("channel") else None, language=data.get("language") or "",
            topic=data["topic"].pk if data.get("topic") else None,
            skill=data["skill"].pk if data.get("skill") else None,
            end_user=data.get("end_user") or "", visitor=data.get("visitor") or "",
            since=data.get("since"), until=data.get("until"), text=data.get("text") or "")
