"""Forms of the privacy centre: parse and validate at the edge; services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .consent import CHANNELS
from .models import ConsentAction, IdentifierKind, OperatorReason, RequestKind
from .services import IdentityMethod


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Right exercised"), choices=RequestKind.choices)
    identifier_kind = forms.ChoiceField(label=_("Person identified by"), choices=IdentifierKind.choices)
    identifier = forms.CharField(label=_("Identifier"), max_length=300,
                                 help_text=_("E-mail address, phone number, identity on the channel or visitor number"))
    channel = forms.TypedChoiceField(label=_("Channel (for an identity on a channel)"), required=False, coerce=int,
                                     empty_value=None)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            max_length=4000)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", "—")] + [(c.pk, c.name) for c in channels]


IDENTITY_METHODS = [
    (IdentityMethod.REGISTERED_EMAIL, _("The request came from the e-mail address on record")),
    (IdentityMethod.ID_DOCUMENT, _("Copy of an identity document (irrelevant parts hidden)")),
    (IdentityMethod.VERIFIED_CHANNEL, _("Written from the person's verified identity on the channel")),
]


class VerifyForm(forms.Form):
    method = forms.ChoiceField(label=_("How the identity was checked"), choices=IDENTITY_METHODS)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Extra days (at most 60)"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("Reason told to the person"), max_length=1000)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class RectifyForm(forms.Form):
    first_name = forms.CharField(label=_("first name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("last name"), required=False, max_length=100)
    email = forms.CharField(label=_("e-mail"), required=False, max_length=254)
    phone = forms.CharField(label=_("phone"), required=False, max_length=40)
    mobile = forms.CharField(label=_("mobile"), required=False, max_length=40)
    birth_date = forms.DateField(label=_("birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def changes(self) -> dict:
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in self.cleaned_data.items() if v not in (None, "")}


class ConsentLookupForm(forms.Form):
    identifier_kind = forms.ChoiceField(label=_("Person identified by"), choices=IdentifierKind.choices)
    identifier = forms.CharField(label=_("Identifier"), max_length=300)
    at = forms.DateTimeField(label=_("State at (optional)"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class ConsentForm(forms.Form):
    identifier_kind = forms.ChoiceField(label=_("Person identified by"), choices=IdentifierKind.choices)
    identifier = forms.CharField(label=_("Identifier"), max_length=300)
    purpose = forms.CharField(label=_("Purpose"), max_length=60, help_text=_("A short code, e.g. marketing.email"))
    action = forms.ChoiceField(label=_("Consent"), choices=ConsentAction.choices)
    channel = forms.ChoiceField(label=_("Collected on"), choices=[(c, c) for c in CHANNELS])
    source = forms.CharField(label=_("Source (form, page, conversation)"), max_length=200)
    wording_version = forms.CharField(label=_("Version of the wording shown"), max_length=40)
    duration_days = forms.IntegerField(label=_("Valid for (days, optional)"), required=False, min_value=1,
                                       max_value=36500)


class HoldForm(forms.Form):
    visitor_id = forms.IntegerField(label=_("Visitor number"), min_value=1)
    conversation_id = forms.IntegerField(label=_("Conversation number (optional: whole profile otherwise)"),
                                         required=False, min_value=1)
    reason = forms.CharField(label=_("Legal reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class RetentionForm(forms.Form):
    transcript_retention_days = forms.IntegerField(
        label=_("Keep transcripts for (days after the conversation ended)"), required=False, min_value=1,
        max_value=3650, help_text=_("Empty: until contract end + 30 days."))


class OperatorAccessForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=OperatorReason.choices)
    reason = forms.CharField(label=_("Reason (incident number, order reference)"), max_length=1000)


class BreachForm(forms.Form):
    aware_at = forms.DateTimeField(label=_("Became aware at"),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    occurred_at = forms.DateTimeField(label=_("Occurred at (if known)"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    categories = forms.CharField(label=_("Categories of data concerned"), required=False, max_length=1000)
    approx_subjects = forms.IntegerField(label=_("Approximate number of people"), required=False, min_value=0)
    consequences = forms.CharField(label=_("Likely consequences"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("Measures taken"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    high_risk = forms.BooleanField(label=_("High risk to the people (art. 34)"), required=False)
