"""The operator console (TEN-1, IAM-7): a separate realm; client accounts never get in."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from interact.core.errors import ServiceError

from . import services
from .forms import OrderFormForm
from .models import ActivationStepKind, Organisation, Realm, StaffRole


def operator_view(*roles: str) -> Callable:
    allowed = set(roles) or {StaffRole.OPERATOR_ADMIN}

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url="operator:login")
            if user.realm != Realm.OPERATOR or user.staff_role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.operator_only = True
        return wrapper

    return decorator


@operator_view(StaffRole.OPERATOR_ADMIN, StaffRole.SERVICE_DESK, StaffRole.SALES)
def organisations(request: HttpRequest) -> HttpResponse:
    orgs = Organisation.objects.order_by("name")
    return render(request, "accounts/operator/organisations.html", {"organisations": orgs})


@operator_view(StaffRole.OPERATOR_ADMIN)
@require_http_methods(["GET", "POST"])
def order_form(request: HttpRequest) -> HttpResponse:
    form = OrderFormForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = services.OrderFormData(**form.cleaned_data)
        try:
            org = services.create_organisation_from_order_form(data, request.user)
            messages.success(request, _("%(name)s was created; its first end user received an e-mail.")
                             % {"name": org.name})
            return redirect("operator:organisation", org_id=org.pk)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "accounts/operator/order_form.html", {"form": form}, status=400 if form.errors else 200)


@operator_view(StaffRole.OPERATOR_ADMIN, StaffRole.SERVICE_DESK, StaffRole.SALES)
def organisation(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=org_id)
    done = {s.step: s for s in org.activation_steps.select_related("done_by")}
    steps = [(kind, done.get(kind.value)) for kind in ActivationStepKind]
    return render(request, "accounts/operator/organisation.html", {
        "org": org, "steps": steps, "order": getattr(org, "order_form", None),
        "backups": org.configuration_backups.order_by("-created_at")[:10],
        "seat_changes": org.seat_changes.all()[:20],
    })


@operator_view(StaffRole.OPERATOR_ADMIN)
@require_POST
def activate(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=org_id)
    try:
        services.activate_organisation(org, request.user)
        messages.success(request, _("The service is active."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("operator:organisation", org_id=org.pk)
