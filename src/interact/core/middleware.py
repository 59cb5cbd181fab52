"""Turns a :class:`PlanRequired` raised anywhere in a page into a 403 naming the plan (TEN-2)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from interact.core.plans import PlanRequired


class PlanRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PlanRequired):
            return None
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": exception.as_dict()}, status=403)
        return render(request, "403.html", {"reason": exception.message}, status=403)
