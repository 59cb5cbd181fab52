"""The only way in: every login path (portal, operator console, API token exchange) calls
``django.contrib.auth.authenticate`` and so this backend, which applies the lockout (IAM-2).

It never tells *why* a login failed, and it spends the same hashing work whether the
address exists, is locked, or belongs to another realm, so failures reveal nothing.
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from interact.accounts import services
from interact.accounts.models import Realm, User


def _burn_hash_time(password: str) -> None:
    make_password(password)


class LockoutBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        realm: str = Realm.CLIENT,
        **kwargs,
    ) -> User | None:
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or not password:
            return None
        user = User.objects.filter(email=email).first()
        if user is None or user.realm != realm or not user.is_active or user.is_locked:
            _burn_hash_time(password)
            return None
        if user.check_password(password):
            services.record_successful_login(user)
            return user
        services.record_failed_login(user)
        return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.filter(pk=user_id).select_related("organisation").first()
        if user is None or not user.is_active or user.is_locked:
            return None
        return user
