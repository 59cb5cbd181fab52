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


class FacebookPageForm(forms.Form):
    page_id = forms.CharField(label=_("Page id"), max_length=30,
                              help_text=_("The number in the Page's About › Page transparency, or in Meta Business "
                                          "Suite."))
    name = forms.CharField(label=_("Name in the portal"), max_length=100, required=False,
                           help_text=_("Leave empty to use the Page's name on Facebook."))
    access_token = forms.CharField(label=_("Page access token"), max_length=1000,
                                   widget=forms.PasswordInput(render_value=False),
                                   help_text=_("From your Meta app: Messenger › Settings › Access tokens. "
                                               "Stored encrypted; never shown again."))
    app_secret = forms.CharField(label=_("App secret"), max_length=64, widget=forms.PasswordInput(render_value=False),
                                 help_text=_("From your Meta app: Settings › Basic. Used to check that webhooks "
                                             "really come from Meta. Stored encrypted."))


class FacebookReconnectForm(forms.Form):
    access_token = FacebookPageForm.base_fields["access_token"]
    app_secret = FacebookPageForm.base_fields["app_secret"]
