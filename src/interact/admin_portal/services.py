"""Every write of portal administration: one function per use case, each in a transaction."""

from __future__ import annotations

from django.db import transaction

from interact.accounts.models import Organisation

from .models import GeneralSettings, Language

DEFAULT_LANGUAGES = ("fr", "nl", "en")


@transaction.atomic
def initialise_organisation(org: Organisation) -> None:
    """What a new organisation starts with: settings (routing and dispatch off) and Belgium's languages."""
    GeneralSettings.objects.get_or_create(organisation=org)
    for code in DEFAULT_LANGUAGES:
        Language.objects.get_or_create(organisation=org, code=code)
