"""Portal pages of portal administration: skills, topics, general settings and languages,
office hours and closure days, FAQ (ADM-2, ADM-3, ADM-5, ADM-6, ADM-7)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from interact.core import clock
from interact.core.access import portal_view
from interact.core.errors import ServiceError
from interact.core.permissions import has_perm

from . import faq, selectors, services
from .forms import ClosureForm, GeneralSettingsForm, HolidayImportForm, LanguageForm, PeriodForm, SkillForm, TopicForm
from .models import Weekday


def found(getter: Callable, *args):
    """A selector's object, or 404 for unknown ids and ids of another organisation alike (IAM-5)."""
    try:
        return getter(*args)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _apply_error(form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- skills and topics (ADM-2, ADM-3) ---------------------------------------------------------

KINDS = {
    "skill": {"list": selectors.skills, "get": selectors.skill, "save": services.save_skill,
              "delete": services.delete_skill, "url": "admin_portal:skills", "form": SkillForm},
    "topic": {"list": selectors.topics, "get": selectors.topic, "save": services.save_topic,
              "delete": services.delete_topic, "url": "admin_portal:topics", "form": TopicForm},
}


def _labels(kind: str) -> dict:
    if kind == "skill":
        return {"plural": _("Skills"), "new": _("New skill"),
                "intro": _("Skills describe what Administrators, Supervisors and Agents can answer; "
                           "with routing on, conversations needing a skill go to its members."),
                "delete_consequence": _("Its members simply lose this skill; no end user or conversation is "
                                        "deleted.")}
    return {"plural": _("Topics"), "new": _("New topic"),
            "intro": _("Topics are the subjects visitors contact you about."),
            "delete_consequence": _("The topic disappears from the list; no conversation is deleted.")}


def _named_list(request: HttpRequest, kind: str) -> HttpResponse:
    query, sort = request.GET.get("q", "")[:100], request.GET.get("sort", "name")
    sort = sort if sort in ("name", "-name") else "name"
    rows = KINDS[kind]["list"](request.user.organisation, query, sort)
    context = {"rows": rows, "q": query, "sort": sort, "kind": kind, "labels": _labels(kind)}
    template = "admin_portal/_named_rows.html" if request.headers.get("HX-Request") else "admin_portal/named_list.html"
    return render(request, template, context)


def _form_for(kind: str, request: HttpRequest, data=None, initial=None):
    form_class = KINDS[kind]["form"]
    if kind == "skill":
        return form_class(data, initial=initial, candidates=selectors.eligible_members(request.user.organisation))
    return form_class(data, initial=initial)


def _named_form(request: HttpRequest, kind: str, pk: int | None) -> HttpResponse:
    org = request.user.organisation
    instance = found(KINDS[kind]["get"], org, pk) if pk is not None else None
    initial = None
    if instance is not None:
        initial = {"name": instance.name, "description": instance.description}
        if kind == "skill":
            initial["members"] = [str(m.pk) for m in instance.members.all()]
    form = _form_for(kind, request, request.POST if request.method == "POST" else None, initial)
    if request.method == "POST" and form.is_valid():
        data = services.NamedData(
            name=form.cleaned_data["name"], description=form.cleaned_data.get("description", ""),
            members=[int(pk) for pk in form.cleaned_data.get("members", [])],
        )
        try:
            saved = KINDS[kind]["save"](org, data, instance)
            messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
            return redirect(KINDS[kind]["url"])
        except ServiceError as exc:
            _apply_error(form, exc)
    return render(request, "admin_portal/named_form.html",
                  {"form": form, "target": instance, "kind": kind, "labels": _labels(kind)},
                  status=400 if form.errors else 200)


def _named_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    target = found(KINDS[kind]["get"], request.user.organisation, pk)
    if request.method == "POST":
        name = target.name
        KINDS[kind]["delete"](target)
        messages.success(request, _("%(name)s was deleted.") % {"name": name})
        return redirect(KINDS[kind]["url"])
    return render(request, "admin_portal/confirm_delete.html",
                  {"target": target, "kind": kind, "labels": _labels(kind), "cancel_url": KINDS[kind]["url"]})


@portal_view("skills.manage")
@require_http_methods(["GET"])
def skill_list(request: HttpRequest) -> HttpResponse:
    return _named_list(request, "skill")


@portal_view("skills.manage")
@require_http_methods(["GET", "POST"])
def skill_create(request: HttpRequest) -> HttpResponse:
    return _named_form(request, "skill", None)


@portal_view("skills.manage")
@require_http_methods(["GET", "POST"])
def skill_edit(request: HttpRequest, skill_id: int) -> HttpResponse:
    return _named_form(request, "skill", skill_id)


@portal_view("skills.manage")
@require_http_methods(["GET", "POST"])
def skill_delete(request: HttpRequest, skill_id: int) -> HttpResponse:
    return _named_delete(request, "skill", skill_id)


@portal_view("topics.manage")
@require_http_methods(["GET"])
def topic_list(request: HttpRequest) -> HttpResponse:
    return _named_list(request, "topic")


@portal_view("topics.manage")
@require_http_methods(["GET", "POST"])
def topic_create(request: HttpRequest) -> HttpResponse:
    return _named_form(request, "topic", None)


@portal_view("topics.manage")
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, topic_id: int) -> HttpResponse:
    return _named_form(request, "topic", topic_id)


@portal_view("topics.manage")
@require_http_methods(["GET", "POST"])
def topic_delete(request: HttpRequest, topic_id: int) -> HttpResponse:
    return _named_delete(request, "topic", topic_id)


# --- general settings and languages (ADM-5) ---------------------------------------------------


def _settings_page(request: HttpRequest, settings_form=None, language_form=None, status: int = 200) -> HttpResponse:
    org = request.user.organisation
    row = selectors.general_settings(org)
    langs = selectors.languages(org)
    if settings_form is None:
        settings_form = GeneralSettingsForm(initial={"routing_enabled": row.routing_enabled,
                                                     "dispatch_enabled": row.dispatch_enabled,
                                                     "offer_timeout_seconds": row.offer_timeout_seconds})
    if language_form is None:
        language_form = LanguageForm(taken={lang.code for lang in langs})
    return render(request, "admin_portal/settings.html", {
        "settings_form": settings_form, "language_form": language_form, "languages": langs,
        "can_manage_languages": has_perm(request.user, "languages.manage"), "row": row,
    }, status=status)


@portal_view("settings.manage")
@require_http_methods(["GET", "POST"])
def general_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = GeneralSettingsForm(request.POST)
        if form.is_valid():
            services.update_general_settings(request.user.organisation, **form.cleaned_data)
            messages.success(request, _("General settings saved."))
            return redirect("admin_portal:settings")
        return _settings_page(request, settings_form=form, status=400)
    return _settings_page(request)


@portal_view("languages.manage")
@require_POST
def language_add(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    form = LanguageForm(request.POST, taken={lang.code for lang in selectors.languages(org)})
    if form.is_valid():
        try:
            language = services.add_language(org, form.cleaned_data["code"])
            messages.success(request, _("%(language)s was added.") % {"language": language.name})
            return redirect("admin_portal:settings")
        except ServiceError as exc:
            _apply_error(form, exc)
    return _settings_page(request, language_form=form, status=400)


@portal_view("languages.manage")
@require_POST
def language_remove(request: HttpRequest, code: str) -> HttpResponse:
    language = found(selectors.language, request.user.organisation, code)
    name = language.name
    services.remove_language(language)
    messages.success(request, _("%(language)s was removed from the list and from end users' profiles.")
                     % {"language": name})
    return redirect("admin_portal:settings")


# --- office hours and closure days (ADM-6) ----------------------------------------------------


def _office_hours_page(request: HttpRequest, status: int = 200, **forms) -> HttpResponse:
    org = request.user.organisation
    today = clock.today()
    by_day = {value: [] for value in Weekday.values}
    for period in selectors.periods(org):
        by_day[period.weekday].append(period)
    closures = selectors.closures(org).filter(date__gte=today.replace(month=1, day=1))
    return render(request, "admin_portal/office_hours.html", {
        "days": [(Weekday(value).label, by_day[value]) for value in Weekday.values],
        "closures": closures,
        "period_form": forms.get("period_form") or PeriodForm(),
        "closure_form": forms.get("closure_form") or ClosureForm(),
        "import_form": forms.get("import_form") or HolidayImportForm(initial={"year": today.year}),
        "open_now": selectors.is_open_now(org),
        "next_change": selectors.next_change(org),
        "today": today,
    }, status=status)


@portal_view("office_hours.manage")
@require_http_methods(["GET"])
def office_hours(request: HttpRequest) -> HttpResponse:
    return _office_hours_page(request)


@portal_view("office_hours.manage")
@require_POST
def period_add(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            services.add_period(request.user.organisation, **form.cleaned_data)
            messages.success(request, _("Opening period added."))
            return redirect("admin_portal:office_hours")
        except ServiceError as exc:
            _apply_error(form, exc)
    return _office_hours_page(request, status=400, period_form=form)


@portal_view("office_hours.manage")
@require_POST
def period_delete(request: HttpRequest, period_id: int) -> HttpResponse:
    services.delete_period(found(selectors.period, request.user.organisation, period_id))
    messages.success(request, _("Opening period deleted."))
    return redirect("admin_portal:office_hours")


@portal_view("office_hours.manage")
@require_POST
def closure_add(request: HttpRequest) -> HttpResponse:
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            services.add_closure(request.user.organisation, form.cleaned_data["date"], form.cleaned_data["label"])
            messages.success(request, _("Closure day added."))
            return redirect("admin_portal:office_hours")
        except ServiceError as exc:
            _apply_error(form, exc)
    return _office_hours_page(request, status=400, closure_form=form)


@portal_view("office_hours.manage")
@require_POST
def closure_delete(request: HttpRequest, closure_id: int) -> HttpResponse:
    services.delete_closure(found(selectors.closure, request.user.organisation, closure_id))
    messages.success(request, _("Closure day deleted."))
    return redirect("admin_portal:office_hours")


@portal_view("office_hours.manage")
@require_POST
def holidays_import(request: HttpRequest) -> HttpResponse:
    form = HolidayImportForm(request.POST)
    if form.is_valid():
        year = form.cleaned_data["year"]
        try:
            added = services.import_belgian_holidays(request.user.organisation, year, translation.get_language())
            messages.success(request, _("%(count)d Belgian public holidays of %(year)d added as closure days.")
                             % {"count": len(added), "year": year})
            return redirect("admin_portal:office_hours")
        except ServiceError as exc:
            _apply_error(form, exc)
    return _office_hours_page(request, status=400, import_form=form)


# --- FAQ (ADM-7) --------------------------------------------------------------------------------


@portal_view("faq.view")
@require_http_methods(["GET"])
def faq_page(request: HttpRequest) -> HttpResponse:
    return render(request, "admin_portal/faq.html", {"sections": faq.sections_for(request.user.role)})
