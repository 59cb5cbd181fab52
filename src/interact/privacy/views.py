"""Portal pages of the privacy centre (PRV-2..7), the public identity-link page, and the operator's
pages (breach register, backups and restore, content access with a recorded reason)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from interact.accounts.operator_views import operator_view
from interact.core import clock
from interact.core.access import portal_view
from interact.core.errors import ServiceError

from . import access_log, backups, breaches, consent, deadlines, packages, retention, selectors, services
from .forms import (
    BreachForm,
    ConsentForm,
    ConsentLookupForm,
    ExtendForm,
    HoldForm,
    OperatorAccessForm,
    RectifyForm,
    RefuseForm,
    RequestForm,
    RetentionForm,
    VerifyForm,
)
from .models import AccessLogEntry, Backup, Breach, BreachNotice, LegalHold, RequestKind, RetentionRun

MANAGE = "privacy.manage"


def _error(request: HttpRequest, exc: ServiceError, form=None) -> None:
    if form is not None and exc.field in getattr(form, "fields", {}):
        form.add_error(exc.field, exc.message)
    else:
        messages.error(request, exc.message)


@portal_view(MANAGE)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    now = clock.now()
    open_requests = [(r, deadlines.days_left(r.final_due_at, now) if r.due_at else None)
                     for r in selectors.open_requests(org)]
    return render(request, "privacy/home.html", {
        "open_requests": open_requests, "notices": selectors.breach_notices(org).filter(acknowledged_at__isnull=True),
        "residency": selectors.residency()})


@portal_view(MANAGE)
@require_http_methods(["GET", "POST"])
def request_list(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    channels = selectors.channels(org)
    form = RequestForm(request.POST or None, channels=channels,
                       initial={"submission_key": secrets.token_hex(16)})
    failed = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            req = services.register_request(org, request.user, kind=data["kind"],
                                            identifier_kind=data["identifier_kind"], identifier=data["identifier"],
                                            channel_id=data["channel"], submission_key=data["submission_key"],
                                            notes=data["notes"])
            messages.success(request, _("Request #%(id)s registered. Check the person's identity to start the "
                                        "30 days.") % {"id": req.pk})
            return redirect("privacy:request", request_id=req.pk)
        except ServiceError as exc:
            _error(request, exc, form)
            failed = True
    return render(request, "privacy/requests.html", {
        "form": form, "requests": selectors.requests(org)[:200]}, status=400 if form.errors or failed else 200)


def _detail(request: HttpRequest, req, *, status: int = 200, **forms) -> HttpResponse:
    now = clock.now()
    context = {
        "req": req, "steps": req.steps.select_related("actor"),
        "days_left": deadlines.days_left(req.final_due_at, now) if req.due_at else None,
        "verify_form": forms.get("verify_form") or VerifyForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "refuse_form": forms.get("refuse_form") or RefuseForm(),
        "rectify_form": forms.get("rectify_form") or RectifyForm(),
        "link": forms.get("link"),
        "files": [name for name in ("summary.html", "package.json") if packages.file_of(req, name)],
        "can_extend": req.is_open and req.due_at is not None and not req.extended_days and now < req.due_at,
    }
    return render(request, "privacy/request_detail.html", context, status=status)


@portal_view(MANAGE)
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    req = selectors.request_of(request.user.organisation, request_id)
    if request.method == "GET":
        return _detail(request, req)
    action = request.POST.get("action", "")
    forms: dict = {}
    try:
        if action == "verify":
            forms["verify_form"] = form = VerifyForm(request.POST)
            if form.is_valid():
                services.verify_identity(req, request.user, form.cleaned_data["method"])
                messages.success(request, _("Identity checked: the 30 days start now."))
                return redirect("privacy:request", request_id=req.pk)
        elif action == "link":
            forms["link"] = services.identity_link(req, request.user, request.build_absolute_uri("/"))
            req.refresh_from_db()
            return _detail(request, req, **forms)
        elif action == "extend":
            forms["extend_form"] = form = ExtendForm(request.POST)
            if form.is_valid():
                services.extend_deadline(req, request.user, form.cleaned_data["days"], form.cleaned_data["reason"])
                messages.success(request, _("Deadline extended; the person was told."))
                return redirect("privacy:request", request_id=req.pk)
        elif action == "refuse":
            forms["refuse_form"] = form = RefuseForm(request.POST)
            if form.is_valid():
                services.refuse(req, request.user, form.cleaned_data["reason"])
                return redirect("privacy:request", request_id=req.pk)
        elif action == "fulfil":
            changes = None
            if req.kind == RequestKind.RECTIFICATION:
                forms["rectify_form"] = form = RectifyForm(request.POST)
                if not form.is_valid():
                    return _detail(request, req, status=400, **forms)
                changes = form.changes()
            services.fulfil(req, request.user, changes=changes)
            messages.success(request, _("Request completed."))
            return redirect("privacy:request", request_id=req.pk)
        else:
            messages.error(request, _("Unknown action."))
    except ServiceError as exc:
        _error(request, exc, next(iter(forms.values()), None) if forms else None)
    req.refresh_from_db()
    return _detail(request, req, status=400, **forms)


@portal_view(MANAGE)
@require_GET
def package_file(request: HttpRequest, request_id: int, name: str) -> HttpResponse:
    req = selectors.request_of(request.user.organisation, request_id)
    path = packages.file_of(req, name)
    if path is None:
        raise Http404
    access_log.log_access(request.user, "package", req.pk, via="page")
    services.record_download(req, request.user, name)
    content_type = "application/json" if name.endswith(".json") else "text/html; charset=utf-8"
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"request-{req.pk}-{name}",
                        content_type=content_type)


@portal_view(MANAGE)
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    lookup = ConsentLookupForm(request.GET or None)
    form = ConsentForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subject = consent.subject_of(org, data["identifier_kind"], data["identifier"])
            consent.record(org, subject, purpose=data["purpose"], channel=data["channel"], action=data["action"],
                           at=None, source=data["source"], wording_version=data["wording_version"],
                           collector=request.user, duration_days=data["duration_days"])
            messages.success(request, _("Consent recorded."))
            return redirect(f"{request.path}?identifier_kind={data['identifier_kind']}&identifier="
                            f"{data['identifier']}")
        except ServiceError as exc:
            _error(request, exc, form)
    if request.GET and lookup.is_valid():
        data = lookup.cleaned_data
        try:
            subject = consent.subject_of(org, data["identifier_kind"], data["identifier"])
            at = data["at"] or clock.now()
            records = list(consent.history(org, subject))
            purposes = sorted({r.purpose for r in records})
            found = {"records": records, "at": at,
                     "states": [(p, consent.state_at(org, subject, p, at)) for p in purposes]}
        except ServiceError as exc:
            _error(request, exc, lookup)
    return render(request, "privacy/consents.html", {"lookup": lookup, "form": form, "found": found},
                  status=400 if form.errors else 200)


@portal_view(MANAGE)
@require_http_methods(["GET", "POST"])
def holds(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_hold(org, request.user, **form.cleaned_data)
            messages.success(request, _("Legal hold placed."))
            return redirect("privacy:holds")
        except ServiceError as exc:
            _error(request, exc, form)
    return render(request, "privacy/holds.html", {
        "form": form, "holds": LegalHold.objects.for_org(org).select_related("placed_by", "released_by")[:500]},
        status=400 if form.errors else 200)


@portal_view(MANAGE)
@require_POST
def hold_release(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold.objects.for_org(request.user.organisation), pk=hold_id)
    try:
        services.release_hold(hold, request.user)
        messages.success(request, _("Legal hold released."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("privacy:holds")


@portal_view(MANAGE)
@require_http_methods(["GET", "POST"])
def retention_page(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    row = retention.settings_of(org.pk)
    form = RetentionForm(request.POST or None, initial={"transcript_retention_days": row.transcript_retention_days})
    if request.method == "POST" and form.is_valid():
        row.transcript_retention_days = form.cleaned_data["transcript_retention_days"]
        row.save(update_fields=["transcript_retention_days"])
        messages.success(request, _("Transcript retention saved; the daily purge applies it."))
        return redirect("privacy:retention")
    runs = [(run, (run.report.get("organisations") or {}).get(str(org.pk), {}))
            for run in RetentionRun.objects.filter(job="retention.daily")[:14]]
    return render(request, "privacy/retention.html", {
        "catalogue": retention.CATALOGUE, "settings_row": row, "form": form, "runs": runs,
        "backups": Backup.objects.for_org(org)[:10], "residency": selectors.residency()},
        status=400 if form.errors else 200)


@portal_view("privacy.access_log")
@require_GET
def access_log_page(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    entries = AccessLogEntry.objects.for_org(org).select_related("actor")
    realm = request.GET.get("realm", "")
    if realm in ("client", "operator"):
        entries = entries.filter(actor_realm=realm)
    visitor = request.GET.get("visitor", "")
    if visitor.isdigit():
        entries = entries.filter(visitor_id=int(visitor))
    return render(request, "privacy/access_log.html", {"entries": entries[:500], "realm": realm, "visitor": visitor})


@portal_view(MANAGE)
@require_http_methods(["GET", "POST"])
def breach_notices(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    if request.method == "POST":
        notice = get_object_or_404(BreachNotice.objects.for_org(org), pk=request.POST.get("notice") or 0)
        breaches.acknowledge(notice, request.user, subjects_notified=bool(request.POST.get("subjects_notified")),
                             note=request.POST.get("note", "")[:2000])
        messages.success(request, _("Recorded."))
        return redirect("privacy:breaches")
    return render(request, "privacy/breaches.html", {"notices": selectors.breach_notices(org)})


# --- the person's identity link (public) -----------------------------------------------------------

@require_http_methods(["GET", "POST"])
def verify_identity_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page the person opens from the e-mail. GET only shows a button (mail scanners that open
    links must not confirm for the person); POST confirms. Nothing about the request is shown."""
    if request.method == "GET":
        return render(request, "privacy/verify.html", {"state": "ask"})
    try:
        services.confirm_identity_link(token)
    except ServiceError as exc:
        return render(request, "privacy/verify.html", {"state": "invalid", "message": exc.message}, status=400)
    return render(request, "privacy/verify.html", {"state": "done"})


# --- operator console -----------------------------------------------------------------------------

@operator_view()
@require_http_methods(["GET", "POST"])
def operator_breaches(request: HttpRequest) -> HttpResponse:
    form = BreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            breach = breaches.record_breach(request.user, **form.cleaned_data)
            return redirect("privacy_operator:breach", breach_id=breach.pk)
        except ServiceError as exc:
            _error(request, exc, form)
    now = clock.now()
    rows = [(b, breaches.authority_deadline(b.aware_at), breaches.is_late(b, now)) for b in Breach.objects.all()[:200]]
    return render(request, "privacy/operator_breaches.html", {"form": form, "rows": rows},
                  status=400 if form.errors else 200)


@operator_view()
@require_http_methods(["GET", "POST"])
def operator_breach(request: HttpRequest, breach_id: int) -> HttpResponse:
    from interact.accounts.models import Organisation

    breach = get_object_or_404(Breach, pk=breach_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "authority":
                breaches.notify_authority(breach, reference=request.POST.get("reference", ""),
                                          late_reason=request.POST.get("late_reason", ""))
            elif request.POST.get("action") == "organisations":
                ids = [int(i) for i in request.POST.getlist("organisations") if i.isdigit()]
                breaches.notify_organisations(breach, ids)
            return redirect("privacy_operator:breach", breach_id=breach.pk)
        except ServiceError as exc:
            messages.error(request, exc.message)
    return render(request, "privacy/operator_breach.html", {
        "breach": breach, "deadline": breaches.authority_deadline(breach.aware_at),
        "late": breaches.is_late(breach, clock.now()), "notices": breach.notices.select_related("organisation"),
        "organisations": Organisation.objects.order_by("name")})


@operator_view("operator_admin", "service_desk")
@require_http_methods(["GET", "POST"])
def operator_organisation(request: HttpRequest, org_id: int) -> HttpResponse:
    from interact.accounts.models import Organisation

    org = get_object_or_404(Organisation, pk=org_id)
    form = OperatorAccessForm(request.POST if request.POST.get("action") == "access" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "backup":
                backups.take_backup(org.pk, "manual")
                messages.success(request, _("Backup taken."))
            elif action in ("restore", "contract_end") and request.user.staff_role != "operator_admin":
                raise PermissionDenied
            elif action == "restore":
                backup = get_object_or_404(Backup.objects.for_org(org), pk=request.POST.get("backup") or 0)
                record = backups.restore(backup, request.user)
                messages.success(request, _("Restored; %(n)d erased person(s) erased again.") % {
                    "n": record.report["erasures_replayed"]})
            elif action == "contract_end":
                row = retention.settings_of(org.pk)
                value = request.POST.get("contract_ends_on") or None
                row.contract_ends_on = dt.date.fromisoformat(value) if value else None
                row.save(update_fields=["contract_ends_on"])
            elif action == "access" and form.is_valid():
                access_log.open_operator_access(request.user, org, form.cleaned_data["ground"],
                                                form.cleaned_data["reason"])
                messages.success(request, _("Access to this organisation's content recorded for one hour."))
            if action != "access" or form.is_valid():
                return redirect("privacy_operator:organisation", org_id=org.pk)
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
    return render(request, "privacy/operator_organisation.html", {
        "org": org, "backups": Backup.objects.for_org(org), "form": form,
        "settings_row": retention.settings_of(org.pk),
        "grant": access_log.current_operator_access(request.user, org.pk),
        "conversations": selectors.recent_conversations(org)})


@operator_view("operator_admin", "service_desk")
@require_GET
def operator_conversation(request: HttpRequest, org_id: int, conversation_id: int) -> HttpResponse:
    """Client content, for operator staff: only with a recorded reason, and every read logged with it."""
    from interact.conversations.models import Conversation

    grant = access_log.current_operator_access(request.user, org_id)
    if grant is None:
        raise PermissionDenied
    conv = get_object_or_404(Conversation.objects.filter(organisation_id=org_id).select_related("visitor"),
                             pk=conversation_id)
    access_log.log_access(request.user, "conversation", conv.pk, visitor_id=conv.visitor_id, via="page",
                          organisation_id=org_id, reason=f"{grant.get_ground_display()}: {grant.reason}")
    return render(request, "privacy/operator_conversation.html", {
        "conv": conv, "messages_list": conv.messages.order_by("created_at", "pk"), "grant": grant})
