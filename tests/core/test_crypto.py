"""CHN-2, BOT-1: secrets at rest are encrypted, decrypt with any configured key, and rotate."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command

from interact.core import crypto


def test_values_are_encrypted_and_round_trip():
    stored = crypto.encrypt("EAAG-token")
    assert stored.startswith("fernet:") and "EAAG" not in stored
    assert crypto.decrypt(stored) == "EAAG-token" and crypto.encrypt("") == ""


def test_a_value_from_an_unknown_key_is_refused(settings):
    stored = crypto.encrypt("secret")
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(stored)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt("plain text")


@pytest.mark.django_db
def test_rotation_re_encrypts_every_secret_under_the_new_key(settings, org):
    from interact.connectors.models import FacebookPage
    from interact.core import clock

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    page = FacebookPage.objects.create(organisation=org, page_id="1", name="P", created_at=clock.now(),
                                       access_token_encrypted=crypto.encrypt("tok"),
                                       app_secret_encrypted=crypto.encrypt("sec"))
    settings.ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption")
    settings.ENCRYPTION_KEYS = [new]
    page.refresh_from_db()
    assert (page.access_token, page.app_secret) == ("tok", "sec")


def test_every_encrypted_column_is_listed_for_rotation():
    listed = {(a, m, f) for a, m, f in crypto.ENCRYPTED_FIELDS}
    found = {(model._meta.app_label, model.__name__, field.name) for model in apps.get_models()
             for field in model._meta.fields if field.name.endswith("_encrypted")}
    assert found == listed
