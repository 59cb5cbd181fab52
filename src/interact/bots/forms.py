"""Portal form of a chatbot connection (BOT-1): validated here for the page, again by the service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Platform
from .services import TIMEOUT_MAX, TIMEOUT_MIN


class BotForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    channel = forms.TypedChoiceField(label=_("Channel"), coerce=int,
                                     help_text=_("Only channels a chatbot can answer on, without a bot yet."))
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices,
                                 help_text=_("The generic webhook is our documented protocol; Rasa bots work "
                                             "unchanged through Rasa's REST channel."))
    endpoint_url = forms.URLField(label=_("Bot address"), max_length=500, assume_scheme="https",
                                  help_text=_("Where we send visitors' messages, e.g. "
                                              "https://bot.example.be/webhooks/rest/webhook"))
    timeout_seconds = forms.IntegerField(label=_("Time-out (seconds)"), min_value=TIMEOUT_MIN,
                                         max_value=TIMEOUT_MAX, initial=8,
                                         help_text=_("Without an answer in time, the visitor goes to a person."))
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.pk, f"{c.name} ({c.get_kind_display()})") for c in channels]

    def clean_endpoint_url(self) -> str:
        url = self.cleaned_data["endpoint_url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("The bot address must start with http:// or https://."))
        return url
