from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import AWAY_MESSAGE_MAX


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    away_message = forms.CharField(
        label=_("Away message"), max_length=AWAY_MESSAGE_MAX, required=False, widget=forms.Textarea,
        help_text=_("What visitors read outside office hours and on closure days (at most 1,000 characters)."))
    allowed_origins = forms.CharField(
        label=_("Allowed websites"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One address per line, like https://www.example.be or http://localhost:8080. "
                    "The chat shows only on these websites."))
    members = forms.MultipleChoiceField(
        label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Administrators, Supervisors and Agents who see and answer this channel's messages."))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(u.pk), f"{u.full_name} ({u.get_role_display()})") for u in candidates]
