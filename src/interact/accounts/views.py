"""Portal pages of the accounts context: sign-in, passwords, my account, end users, seats."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from interact.core.access import portal_view
from interact.core.errors import ServiceError
from interact.core.permissions import Role as RoleChoices
from interact.core.permissions import has_perm

from . import selectors, services
from .forms import EndUserForm, LoginForm, PasswordResetRequestForm, SeatsForm, TokenForm, TransferOwnerForm
from .models import ApiToken, Realm, User

DEMO_LOGINS = ("admin@demo.example", "supervisor@demo.example", "agent@demo.example", "analyst@demo.example")


def _start_session(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user, backend="interact.accounts.backends.LockoutBackend")
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("home")
    response = redirect(target)
    if user.ui_language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.ui_language, samesite="Lax",
                            secure=settings.PRODUCTION)
    return response


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest, realm: str = Realm.CLIENT) -> HttpResponse:
    form = LoginForm(request, request.POST or None, realm=realm)
    if request.method == "POST" and form.is_valid():
        return _start_session(request, form.user)
    template = "accounts/login.html" if realm == Realm.CLIENT else "accounts/operator_login.html"
    status = 400 if form.errors else 200
    return render(request, template, {"form": form, "demo_logins": DEMO_LOGINS}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def password_reset_request(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(form.cleaned_data["email"])
        return render(request, "accounts/password_reset_sent.html")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


def _user_from_link(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if default_token_generator.check_token(user, token) else None


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """One page for invitations, forgotten passwords and unblocking (IAM-1, IAM-2): setting a new
    password through a valid link is the only way to clear a block."""
    user = _user_from_link(uidb64, token)
    if user is None:
        return render(request, "accounts/password_link_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_password(user, form.cleaned_data["new_password1"])
        messages.success(request, _("Your password is set. You can sign in now."))
        return redirect("accounts:login" if user.realm == Realm.CLIENT else "operator:login")
    return render(request, "accounts/password_set.html", {"form": form, "target": user},
                  status=400 if form.errors else 200)


@portal_view()
@require_http_methods(["GET", "POST"])
def my_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    password_form = PasswordChangeForm(user, request.POST if request.POST.get("action") == "password" else None)
    token_form = TokenForm(request.POST if request.POST.get("action") == "token" else None)
    new_secret = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "password" and password_form.is_valid():
            services.set_password(user, password_form.cleaned_data["new_password1"])
            update_session_auth_hash(request, user)
            messages.success(request, _("Password changed. Your other sessions were signed out."))
            return redirect("accounts:my_account")
        if action == "token" and token_form.is_valid():
            try:
                _token, new_secret = services.create_api_token(user, token_form.cleaned_data["name"])
                token_form = TokenForm()
            except ServiceError as exc:
                token_form.add_error("name", exc.message)
        if action == "revoke":
            token = ApiToken.objects.filter(user=user, pk=request.POST.get("token") or 0).first()
            if token is None:
                raise Http404
            services.revoke_api_token(token)
            messages.success(request, _("Token revoked."))
            return redirect("accounts:my_account")
    return render(request, "accounts/my_account.html", {
        "password_form": password_form, "token_form": token_form, "new_secret": new_secret,
        "tokens": user.api_tokens.all(),
    })


# --- end users (ADM-1) --------------------------------------------------------------------

@portal_view("users.view")
def user_list(request: HttpRequest) -> HttpResponse:
    query, sort = request.GET.get("q", ""), request.GET.get("sort", "last_name")
    users = selectors.end_users(request.user.organisation, query, sort, request.GET.get("role", ""))
    template = "accounts/_user_rows.html" if request.headers.get("HX-Request") else "accounts/user_list.html"
    return render(request, template, {
        "users": users, "q": query, "sort": sort, "roles": RoleChoices.choices,
        "can_manage": has_perm(request.user, "users.manage"),
        "seats": request.user.organisation.seats,
        "seats_used": request.user.organisation.users.filter(is_active=True).exclude(role="").count(),
    })


def _user_data(cleaned: dict, instance: User | None) -> services.EndUserData:
    profile = cleaned.get("org_profile")
    subs = cleaned.get("sub_profiles")
    return services.EndUserData(
        first_name=cleaned["first_name"], last_name=cleaned["last_name"], email=cleaned["email"],
        role=cleaned.get("role") or "", mother_tongue=cleaned.get("mother_tongue") or "",
        org_profile=profile if profile is not None else (instance.org_profile if instance else ""),
        sub_profiles=list(subs) if subs is not None else (instance.sub_profiles if instance else []),
        max_conversations=cleaned["max_conversations"] if cleaned.get("max_conversations") is not None else 5,
    )


def _save_user_form(request: HttpRequest, form: EndUserForm, instance: User | None) -> User | None:
    from django.db import transaction

    if not form.is_valid():
        return None
    actor, org = request.user, request.user.organisation
    data = _user_data(form.cleaned_data, instance)
    try:
        with transaction.atomic():
            if instance is None:
                user = services.create_end_user(actor, org, data)
            else:
                user = services.update_end_user(actor, instance, data)
            services.set_routing_profile(
                user,
                [int(pk) for pk in form.cleaned_data.get("skills", [])],
                [int(pk) for pk in form.cleaned_data.get("channels", [])],
                list(form.cleaned_data.get("languages", [])),
            )
        return user
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@portal_view("users.manage")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = EndUserForm(request.POST or None, org=request.user.organisation,
                       can_grant_profiles=has_perm(request.user, "profiles.manage"),
                       initial={"role": RoleChoices.AGENT})
    if request.method == "POST":
        user = _save_user_form(request, form, None)
        if user is not None:
            messages.success(request, _("%(name)s was created and received an e-mail to set a password.")
                             % {"name": user.full_name})
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "target": None},
                  status=400 if form.errors else 200)


@portal_view("users.manage")
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        target = selectors.end_user(request.user.organisation, user_id)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    initial = {
        "first_name": target.first_name, "last_name": target.last_name, "email": target.email,
        "role": target.role, "mother_tongue": target.mother_tongue, "org_profile": target.org_profile,
        "sub_profiles": target.sub_profiles, "skills": [str(s.pk) for s in target.skills.all()],
        "channels": [str(c.pk) for c in target.channels.all()],
        "languages": [lang.code for lang in target.languages.all()],
        "max_conversations": target.max_conversations,
    }
    form = EndUserForm(request.POST or None, org=request.user.organisation,
                       can_grant_profiles=has_perm(request.user, "profiles.manage"), initial=initial)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "delete":
                services.delete_end_user(request.user, target)
                messages.success(request, _("%(name)s was deleted.") % {"name": target.full_name})
                return redirect("accounts:users")
            if action in {"deactivate", "activate"}:
                services.set_active(request.user, target, action == "activate")
                messages.success(request, _("Saved."))
                return redirect("accounts:user_edit", user_id=target.pk)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:user_edit", user_id=target.pk)
        if _save_user_form(request, form, target) is not None:
            messages.success(request, _("Saved."))
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "target": target},
                  status=400 if form.errors else 200)


# --- seats and Access Owner (ADM-8, IAM-4) -------------------------------------------------

@portal_view("seats.view")
@require_http_methods(["GET", "POST"])
def seats(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    form = SeatsForm(request.POST or None, initial={"seats": org.seats})
    if request.method == "POST":
        if not has_perm(request.user, "seats.manage"):
            raise PermissionDenied
        if form.is_valid():
            try:
                change = services.change_seats(request.user, org, form.cleaned_data["seats"])
                messages.success(request, _("Licensed end users: %(n)d, effective %(date)s.")
                                 % {"n": change.new_seats, "date": change.effective_date})
                return redirect("accounts:seats")
            except ServiceError as exc:
                form.add_error("seats", exc.message)
    org.refresh_from_db()
    return render(request, "accounts/seats.html", {
        "form": form, "org": org, "changes": org.seat_changes.select_related("registered_by")[:50],
        "can_manage": has_perm(request.user, "seats.manage"),
        "used": org.users.filter(is_active=True).exclude(role="").count(),
    }, status=400 if form.errors else 200)


@portal_view("profiles.manage")
@require_http_methods(["GET", "POST"])
def transfer_owner(request: HttpRequest) -> HttpResponse:
    candidates = request.user.organisation.users.filter(is_active=True).exclude(pk=request.user.pk)
    form = TransferOwnerForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_access_owner(request.user, candidates.get(pk=int(form.cleaned_data["new_owner"])))
            messages.success(request, _("The Access Owner profile was transferred."))
            return redirect("home")
        except ServiceError as exc:
            form.add_error(None, exc.message)
    return render(request, "accounts/transfer_owner.html", {"form": form}, status=400 if form.errors else 200)
