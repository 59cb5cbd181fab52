"""Portal pages of the conversations context: the agent Inbox and History (CNV-1..7, CNV-9).

Views stay thin: parse a form, check the permission, call a service or a selector, render.
Every write is a POST that answers an htmx request with the re-rendered pane and a plain form
post with a redirect back, so the pages work without JavaScript. A service refusal becomes a
message on the page, never a server error.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from interact.admin_portal import selectors as admin_selectors
from interact.connectors import selectors as connector_selectors
from interact.core import clock
from interact.core.access import portal_view
from interact.core.errors import ServiceError
from interact.core.permissions import has_perm
from interact.privacy.access_log import log_conversation

from . import selectors, services
from .forms import (
    ArchiveForm,
    AssignForm,
    HistoryFilterForm,
    NoteForm,
    ReplyForm,
    SkillsForm,
    VisitorProfileForm,
)
from .models import CLOSED_STATUSES, OPEN_STATUSES, Delivery, Status

HANDLE = "conversations.handle"

# What the channel told us about the visitor (CHN-1 widget frames), with readable labels.
ATTRIBUTE_LABELS = {"page": gettext_lazy("Page"), "referrer": gettext_lazy("Came from"),
                    "user_agent": gettext_lazy("Browser"), "name": gettext_lazy("Name on the site"),
                    "email": gettext_lazy("E-mail on the site")}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- the inbox (CNV-1..5, CNV-9) ---------------------------------------------------------------

def _lists_context(request: HttpRequest, open_id: int | None) -> dict:
    lists = selectors.inbox(request.user)
    return {"lists": lists, "open_id": open_id, "may_dispatch": selectors.may_dispatch(request.user),
            "may_handover": selectors.may_handover(request.user), "now": clock.now()}


def _abilities(user, conv) -> dict:
    """What the buttons on the page offer; the services decide again on every POST."""
    dispatcher = selectors.may_dispatch(user)
    is_open = conv.status in OPEN_STATUSES
    mine_or_free = conv.assignee_id in (user.pk, None)
    # With the bot (BOT-2), a person joins only through "Pause the bot and take over", so the
    # bot never keeps talking next to them.
    people = is_open and conv.status != Status.BOT
    return {
        "take": is_open and (conv.status == Status.QUEUED
                             or (conv.status == Status.ASSIGNED and conv.assignee_id == user.pk)),
        "reply": people and mine_or_free,
        "release": people and conv.status != Status.QUEUED and (conv.assignee_id == user.pk or dispatcher),
        "end": is_open and (mine_or_free or dispatcher),
        "assign": people and (conv.status != Status.ACTIVE or mine_or_free or dispatcher),
        "skills": people,
        "archive": conv.status in CLOSED_STATUSES and (conv.assignee_id == user.pk or dispatcher
                                                        or has_perm(user, "history.view")),
        "profile": has_perm(user, "visitors.view"),
    }


def _bot_context(user, conv, can: dict) -> dict:
    """BOT-2: the bot's state for this visitor, and the pause / restart buttons."""
    if not selectors.may_handover(user):
        can.update(pause_bot=False, restart_bot=False)
        return {"bot_state": None}
    from interact.bots.selectors import state

    bot_state = state(conv.visitor)
    is_open = conv.status in OPEN_STATUSES
    mine_or_free = conv.assignee_id in (user.pk, None) or selectors.may_dispatch(user)
    can["pause_bot"] = is_open and conv.status == Status.BOT and bot_state.bot is not None
    can["restart_bot"] = bot_state.paused and bot_state.bot is not None and (not is_open or mine_or_free)
    return {"bot_state": bot_state}


def _workspace_context(request: HttpRequest, conv, **forms) -> dict:
    user, org = request.user, request.user.organisation
    can = _abilities(user, conv)
    bot_context = _bot_context(user, conv, can)
    visitor = conv.visitor
    profile_initial = {name: getattr(visitor, name) for name in services.PROFILE_FIELDS}
    return {
        **bot_context,
        "conv": conv, "can": can, "visitor": visitor,
        "messages_list": selectors.messages(conv),
        "skills": conv.skills.all(), "topics": conv.topics.all(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "assign_form": forms.get("assign_form") or AssignForm(
            handlers=admin_selectors.eligible_members(org).order_by("first_name", "last_name"),
            initial={"assignee": conv.assignee_id}),
        "skills_form": forms.get("skills_form") or SkillsForm(
            skills=admin_selectors.skills(org), initial={"skills": [s.pk for s in conv.skills.all()]}),
        "archive_form": forms.get("archive_form") or ArchiveForm(
            topics=admin_selectors.topics(org), initial={"topics": [t.pk for t in conv.topics.all()]}),
        "profile_form": forms.get("profile_form") or VisitorProfileForm(initial=profile_initial),
        "note_form": forms.get("note_form") or NoteForm(),
        "notes": visitor.notes.select_related("author") if can["profile"] else [],
        "previous": selectors.previous_conversations(conv) if can["profile"] else [],
        "attributes": [(ATTRIBUTE_LABELS.get(key, key.replace("_", " ").capitalize()), value)
                       for key, value in sorted((visitor.attributes or {}).items())],
    }


def _inbox_page(request: HttpRequest, conv=None, *, status: int = 200, **forms) -> HttpResponse:
    context = _lists_context(request, conv.pk if conv else None)
    context["last_event_id"] = selectors.last_event_id(request.user.organisation_id)
    if conv is not None:
        context.update(_workspace_context(request, conv, **forms))
    return render(request, "conversations/inbox.html", context, status=status)


def _workspace(request: HttpRequest, conv, *, status: int = 200, **forms) -> HttpResponse:
    """The centre and right panes only, for htmx swaps (flash messages shown inside)."""
    context = _workspace_context(request, conv, **forms)
    context["partial"] = True
    return render(request, "conversations/_workspace.html", context, status=status)


@portal_view(HANDLE)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox_page(request)


@portal_view(HANDLE)
@require_GET
def inbox_lists(request: HttpRequest) -> HttpResponse:
    open_id = request.GET.get("open", "")
    context = _lists_context(request, int(open_id) if open_id.isdigit() else None)
    return render(request, "conversations/_lists.html", context)


@portal_view(HANDLE)
@require_GET
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    log_conversation(request.user, conv)  # PRV-6: the conversation and its visitor's profile were opened
    if _is_htmx(request):
        return _workspace(request, conv)
    return _inbox_page(request, conv)


@portal_view(HANDLE)
@require_GET
def conversation_messages(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    return render(request, "conversations/_messages.html",
                  {"conv": conv, "messages_list": selectors.messages(conv), "can": _abilities(request.user, conv)})


def _done(request: HttpRequest, conv, text: str | None = None, *, error: ServiceError | None = None,
          **forms) -> HttpResponse:
    """After a write: a flash message, then the pane (htmx) or a redirect back (plain post)."""
    if error is not None:
        messages.error(request, error.message)
    elif text:
        messages.success(request, text)
    if _is_htmx(request):
        conv = selectors.conversation(request.user, conv.pk)
        return _workspace(request, conv, **forms)
    return redirect("conversations:conversation", conversation_id=conv.pk)


def _action(request: HttpRequest, conversation_id: int, call, success: str) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    try:
        call(conv)
    except ServiceError as exc:
        return _done(request, conv, error=exc)
    return _done(request, conv, success)


@portal_view(HANDLE)
@require_POST
def take(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _action(request, conversation_id, lambda conv: services.take(conv, request.user),
                   _("You took this conversation."))


@portal_view(HANDLE)
@require_POST
def release(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    try:
        services.release(conv, request.user)
    except ServiceError as exc:
        return _done(request, conv, error=exc)
    messages.success(request, _("The conversation went back to the queue."))
    return _leave(request)


@portal_view(HANDLE)
@require_POST
def end(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _action(request, conversation_id, lambda conv: services.end(conv, request.user),
                   _("The conversation has ended. Archive it under one or more topics."))


@portal_view(HANDLE)
@require_POST
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _invalid(request, conv, reply_form=form)
    try:
        services.send_reply(conv, request.user, form.cleaned_data["body"],
                            client_id=form.cleaned_data.get("client_id") or None)
    except ServiceError as exc:
        if exc.field != "body":
            return _done(request, conv, error=exc)
        form.add_error("body", exc.message)
        return _invalid(request, conv, reply_form=form)
    return _done(request, conv)


@portal_view(HANDLE)
@require_POST
def assign(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    org = request.user.organisation
    form = AssignForm(request.POST, handlers=admin_selectors.eligible_members(org))
    if not form.is_valid():
        return _invalid(request, conv, assign_form=form)
    target = form.cleaned_data["assignee"]
    try:
        services.assign(conv, target, request.user)
    except ServiceError as exc:
        return _done(request, conv, error=exc)
    text = _("The conversation was assigned to %(name)s.") % {"name": target.full_name}
    messages.success(request, text)
    return _done(request, conv) if _still_visible(request.user, conv.pk) else _leave(request)


@portal_view(HANDLE)
@require_POST
def set_skills(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    form = SkillsForm(request.POST, skills=admin_selectors.skills(request.user.organisation))
    if not form.is_valid():
        return _invalid(request, conv, skills_form=form)
    try:
        services.set_skills(conv, form.cleaned_data["skills"], request.user)
    except ServiceError as exc:
        return _done(request, conv, error=exc)
    messages.success(request, _("Skills saved; the conversation was routed again."))
    return _done(request, conv) if _still_visible(request.user, conv.pk) else _leave(request)


@portal_view(HANDLE)
@require_POST
def archive(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    form = ArchiveForm(request.POST, topics=admin_selectors.topics(request.user.organisation))
    if not form.is_valid():
        return _invalid(request, conv, archive_form=form)
    try:
        services.archive(conv, form.cleaned_data["topics"], request.user)
    except ServiceError as exc:
        form.add_error("topics" if exc.field == "topics" else None, exc.message)
        return _invalid(request, conv, archive_form=form)
    return _done(request, conv, _("The conversation was archived; it is now in History."))


@portal_view(HANDLE)
@require_POST
def retry(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    message = selectors.messages(conv).filter(pk=message_id, delivery=Delivery.FAILED).first()
    if message is None:
        raise Http404
    try:
        services.retry_delivery(message, request.user)
    except ServiceError as exc:
        return _done(request, conv, error=exc)
    return _done(request, conv, _("The message is being sent again."))


@portal_view("visitors.view")
@require_POST
def visitor_profile(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    form = VisitorProfileForm(request.POST)
    if not form.is_valid():
        return _invalid(request, conv, profile_form=form)
    try:
        services.update_visitor(conv.visitor, request.user, **form.cleaned_data)
    except ServiceError as exc:
        conv.visitor.refresh_from_db()
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _invalid(request, conv, profile_form=form)
    except ValidationError as exc:
        conv.visitor.refresh_from_db()
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return _invalid(request, conv, profile_form=form)
    return _done(request, conv, _("The visitor's profile was saved."))


@portal_view("visitors.view")
@require_POST
def add_note(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, conv, note_form=form)
    try:
        services.add_note(conv.visitor, request.user, form.cleaned_data["body"])
    except ServiceError as exc:
        form.add_error("body", exc.message)
        return _invalid(request, conv, note_form=form)
    return _done(request, conv, _("Note added."))


def _invalid(request: HttpRequest, conv, **forms) -> HttpResponse:
    """A form with errors: shown in place. htmx swaps only 2xx answers, so it gets 200."""
    if _is_htmx(request):
        return _workspace(request, conv, **forms)
    return _inbox_page(request, conv, status=400, **forms)


def _still_visible(user, pk: int) -> bool:
    try:
        selectors.conversation(user, pk)
    except Http404:
        return False
    return True


def _leave(request: HttpRequest) -> HttpResponse:
    """The conversation left this end user's sight (assigned or routed elsewhere): back to the inbox."""
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("conversations:inbox")
        return response
    return redirect("conversations:inbox")


# --- History (CNV-6, CNV-7) --------------------------------------------------------------------

@portal_view("history.view")
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    form = HistoryFilterForm(request.GET or None, channels=connector_selectors.channels(org),
                             topics=admin_selectors.topics(org), skills=admin_selectors.skills(org))
    page = None
    if not request.GET or form.is_valid():
        filters = form.filters() if request.GET else selectors.HistoryFilters()
        paginator = Paginator(selectors.history(request.user, filters), selectors.PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    for key in [key for key, values in query.lists() if not any(values)]:
        del query[key]  # shorter shareable links: only the filters actually set
    return render(request, "conversations/history.html",
                  {"form": form, "page": page, "query": query.urlencode()})


@portal_view("history.view")
@require_GET
def history_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = selectors.conversation(request.user, conversation_id)
    log_conversation(request.user, conv)  # PRV-6
    if conv.status not in CLOSED_STATUSES:
        raise Http404
    return render(request, "conversations/history_detail.html", {
        "conv": conv, "messages_list": selectors.messages(conv), "topics": conv.topics.all(),
        "skills": conv.skills.all(), "back": request.GET.get("back", "")})
