from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from interact.core.permissions import permissions_of


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    perms = permissions_of(user) if user is not None and user.is_authenticated else frozenset()
    return {"perms_held": perms, "demo_mode": settings.DEMO, "production": settings.PRODUCTION}
