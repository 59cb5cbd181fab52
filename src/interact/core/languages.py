"""Languages an end user can speak or have as mother tongue (ISO 639-1 codes)."""

from __future__ import annotations

from django.conf.locale import LANG_INFO
from django.utils.translation import gettext

# The languages a Belgian contact centre meets most, then the rest of Europe's.
CODES: tuple[str, ...] = (
    "fr", "nl", "en", "de", "es", "it", "pt", "pl", "ro", "tr", "ar", "ru", "uk", "bg", "cs", "da",
    "el", "et", "fi", "ga", "hr", "hu", "lt", "lv", "mt", "sk", "sl", "sv", "zh", "ja",
)


def name(code: str) -> str:
    info = LANG_INFO.get(code)
    return gettext(info["name"]) if info else code


def choices() -> list[tuple[str, str]]:
    return [(code, name(code)) for code in CODES]


def is_known(code: str) -> bool:
    return code in CODES
