"""Server-side checks for portal pages (IAM-3): sign-in, realm, permission, plan."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from interact.core.permissions import has_perm
from interact.core.plans import require_feature


def portal_view(permission: str = "portal.use", feature: str | None = None) -> Callable:
    """Decorate a portal view: client end users holding ``permission`` only, on a plan with ``feature``."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.organisation_id is None or not has_perm(user, permission):
                raise PermissionDenied
            if feature:
                require_feature(user.organisation, feature)
            return view(request, *args, **kwargs)

        wrapper.required_permission = permission
        return wrapper

    return decorator
