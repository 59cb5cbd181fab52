from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from interact.core.permissions import has_perm


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_operator:
        return redirect("operator:organisations")
    return render(request, "core/home.html", {"org": user.organisation, **_overview(user)})


def _overview(user) -> dict:
    """What the home page shows: where the organisation stands today, from real data only."""
    from interact.admin_portal import selectors as admin
    from interact.connectors.models import Channel

    org = user.organisation
    return {
        "open_now": admin.is_open_now(org),
        "next_change": admin.next_change(org),
        "end_users": org.users.filter(is_active=True).exclude(role="").count(),
        "channels": Channel.objects.for_org(org),
        "skills_count": admin.skills(org).count(),
        "topics_count": admin.topics(org).count(),
        "routing": admin.general_settings(org),
        "can_manage_users": has_perm(user, "users.view"),
    }


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness (OPS-2): answers 503 when the database cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure means not ready
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "degraded", "database": database}, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "forbidden", "message": "Forbidden"}}, status=403)
    return render(request, "403.html", {"reason": getattr(exception, "message", "")}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": "Not found"}}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the account so e-mails and the next sign-in follow it (OPS-3)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.ui_language != language:
        get_user_model().objects.filter(pk=user.pk).update(ui_language=language)
    return response
