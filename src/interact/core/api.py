"""The REST API (django-ninja): authentication, error format and the routers of every context.

Errors always look like ``{"error": {"code": "...", "message": "..."}}`` so clients branch on
``code``; validation errors add ``fields``. Nothing a client sends should produce a 500.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from interact.core import clock
from interact.core.errors import ServiceError
from interact.core.permissions import has_perm
from interact.core.plans import PlanRequired, require_feature

logger = logging.getLogger("interact.api")


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ik_<prefix>_<secret>``; a locked or inactive account's tokens stop working."""

    def authenticate(self, request: HttpRequest, token: str):
        import hmac

        from interact.accounts.models import ApiToken

        parts = token.split("_")
        if len(parts) < 3 or parts[0] != "ik":
            return None
        row = ApiToken.objects.select_related("user", "user__organisation").filter(
            prefix=parts[1], revoked_at__isnull=True).first()
        if row is None or not hmac.compare_digest(row.digest, ApiToken.digest_of(token)):
            return None
        user = row.user
        if not user.is_active or user.is_locked:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=clock.now())
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The portal's own session cookie, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


api = NinjaAPI(
    title="Interact API",
    version="1",
    description="Everything the portal does, for clients' own tools. Authenticate with a personal API token "
    "(`Authorization: Bearer ik_…`, created under *My account*) or the portal session plus CSRF token.",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def error(request: HttpRequest, status: int, code: str, message: str, **extra) -> HttpResponse:
    return api.create_response(request, {"error": {"code": code, "message": message, **extra}}, status=status)


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    return api.create_response(request, {"error": exc.as_dict()}, status=exc.status)


@api.exception_handler(PlanRequired)
def _plan_required(request, exc: PlanRequired):
    return api.create_response(request, {"error": exc.as_dict()}, status=403)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, "forbidden", "You do not have permission to do this.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", "Send a valid API token or sign in.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", "No such object.")


@api.exception_handler(ObjectDoesNotExist)
def _object_not_found(request, exc):
    return error(request, 404, "not_found", "No such object.")


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    fields = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None, "message": e.get("msg", "")}
        for e in exc.errors
    ]
    logger.info("api validation error", extra={"path": request.path, "fields": fields})
    return error(request, 422, "validation_error", "Some fields are invalid.", fields=fields)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error(request, exc.status_code, getattr(exc, "code", "error"), str(exc.message))


def authorize(request: HttpRequest, permission: str = "portal.use", feature: str | None = None):
    """The API's permission gate: returns the acting user, whose organisation scopes every query."""
    user = request.auth
    if user is None or user.organisation_id is None or not has_perm(user, permission):
        raise PermissionDenied
    if feature:
        require_feature(user.organisation, feature)
    return user


def _mount_routers() -> None:
    from interact.accounts.api import router as accounts_router
    from interact.admin_portal.api import router as admin_router
    from interact.bots.api import router as bots_router
    from interact.connectors.api import router as channels_router
    from interact.conversations.api import router as conversations_router
    from interact.privacy.api import router as privacy_router
    from interact.stats.api import router as stats_router

    api.add_router("/", accounts_router)
    api.add_router("/", admin_router)
    api.add_router("/", channels_router)
    api.add_router("/", conversations_router)
    api.add_router("/", privacy_router)
    api.add_router("/", bots_router)
    api.add_router("/", stats_router)


_mount_routers()
