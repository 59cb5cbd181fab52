"""OPS-3: every FAQ entry and every navigation label really comes out translated in French and Dutch.

Guards against msgids that never match at run time (e.g. escaped characters that xgettext keeps literally).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from interact.admin_portal.faq import ENTRIES


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_ops3_every_faq_entry_is_translated(language):
    untranslated = []
    for entry in ENTRIES:
        for text in (entry.question, entry.answer):
            with translation.override("en"):
                english = str(text)
            with translation.override(language):
                if str(text) == english:
                    untranslated.append(english[:60])
    assert not untranslated, untranslated


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [("fr", "Utilisateurs finaux"), ("nl", "Eindgebruikers")])
def test_ops3_portal_navigation_is_translated(admin, login, language, expected):
    client = login(admin)
    client.cookies["django_language"] = language
    body = client.get("/").content.decode()
    assert expected in body and f'lang="{language}"' in body
