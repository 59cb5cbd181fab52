"""E-mails the accounts context sends, all through Django's e-mail backend (file when embedded,
SMTP in production), in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from interact.accounts.models import User

KINDS = {"invitation", "reset", "unlock"}


def password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.PUBLIC_URL + reverse("accounts:reset_confirm", args=[uid, token])


def send_password_email(user: User, kind: str) -> None:
    """``invitation``: first password; ``reset``: forgotten password; ``unlock``: blocked after failures."""
    assert kind in KINDS
    language = user.ui_language or user.mother_tongue or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"user": user, "link": password_link(user), "kind": kind}
        subject = render_to_string(f"accounts/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{kind}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
