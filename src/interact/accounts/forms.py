from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from interact.core import languages
from interact.core.permissions import OrgProfile, Role, SubProfile
from interact.core.plans import Option, Plan

from .models import Realm

GENERIC_LOGIN_ERROR = _(
    "E-mail or password incorrect. After 5 failed attempts an account is blocked and a link to unblock it "
    "is e-mailed to its owner."
)


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False, max_length=256,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, request, *args, realm: str = Realm.CLIENT, **kwargs):
        self.request, self.realm, self.user = request, realm, None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.user = authenticate(self.request, username=data["email"], password=data["password"], realm=self.realm)
        if self.user is None:
            raise forms.ValidationError(GENERIC_LOGIN_ERROR, code="invalid_login")
        return data


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class EndUserForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("None (portal only)"))] + list(Role.choices),
                             required=False)
    mother_tongue = forms.ChoiceField(label=_("Mother tongue"), required=False)
    org_profile = forms.ChoiceField(label=_("Organisation profile"), choices=OrgProfile.choices, required=False)
    sub_profiles = forms.MultipleChoiceField(label=_("Portal sub-profiles"), choices=SubProfile.choices,
                                             required=False, widget=forms.CheckboxSelectMultiple)
    skills = forms.MultipleChoiceField(label=_("Skills"), required=False, widget=forms.CheckboxSelectMultiple)
    channels = forms.MultipleChoiceField(label=_("Channels"), required=False, widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(label=_("Languages"), required=False, widget=forms.CheckboxSelectMultiple)
    max_conversations = forms.IntegerField(
        label=_("Maximum simultaneous conversations"), min_value=0, max_value=50, initial=5, required=False,
        help_text=_("Routing offers no new conversation to this person beyond this number."))

    def __init__(self, *args, org, can_grant_profiles: bool, **kwargs):
        from interact.admin_portal.models import Language, Skill
        from interact.connectors.models import Channel

        super().__init__(*args, **kwargs)
        self.fields["mother_tongue"].choices = [("", "—")] + languages.choices()
        self.fields["skills"].choices = [(str(s.pk), s.name) for s in Skill.objects.for_org(org)]
        self.fields["channels"].choices = [(str(c.pk), c.name) for c in Channel.objects.for_org(org)]
        self.fields["languages"].choices = [(lang.code, lang.name) for lang in Language.objects.for_org(org)]
        owner_free = [c for c in OrgProfile.choices if c[0] != OrgProfile.ACCESS_OWNER]
        self.fields["org_profile"].choices = owner_free
        if not can_grant_profiles:
            self.fields["org_profile"].disabled = True
            self.fields["sub_profiles"].disabled = True


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)


class SeatsForm(forms.Form):
    seats = forms.IntegerField(label=_("Licensed end users"), min_value=1, max_value=10000)


class TransferOwnerForm(forms.Form):
    new_owner = forms.ChoiceField(label=_("New Access Owner"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].choices = [(str(u.pk), f"{u.full_name} <{u.email}>") for u in candidates]


class OrderFormForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    plan = forms.ChoiceField(label=_("Plan"), choices=Plan.choices)
    options = forms.MultipleChoiceField(label=_("Options"), choices=Option.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    min_end_users = forms.IntegerField(label=_("Minimum end users"), min_value=1, max_value=10000, initial=1)
    first_name = forms.CharField(label=_("First end user: first name"), max_length=100)
    last_name = forms.CharField(label=_("First end user: last name"), max_length=100)
    email = forms.EmailField(label=_("First end user: e-mail"), max_length=254)
    language = forms.ChoiceField(label=_("First end user: language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages.choices()
