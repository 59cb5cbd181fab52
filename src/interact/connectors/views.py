"""Portal pages of channels (ADM-4): the supported list, website chat channels, the embed snippet."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from interact.admin_portal import selectors as admin_selectors
from interact.admin_portal.views import found
from interact.core.access import portal_view
from interact.core.db import db_call
from interact.core.errors import ServiceError
from interact.core.plans import Feature, has_feature

from . import meta, selectors, services, webhooks
from .forms import ChannelForm, FacebookPageForm, FacebookReconnectForm
from .models import Channel, ChannelKind


@portal_view("channels.manage")
@require_http_methods(["GET"])
def channel_list(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    return render(request, "connectors/channel_list.html", {
        "supported": selectors.supported_with_status(org), "has_sdk": has_feature(org, Feature.SDK),
        "pages": selectors.facebook_pages(org),
    })


def _channel_form(request: HttpRequest, instance: Channel | None) -> HttpResponse:
    org = request.user.organisation
    initial = None
    if instance is not None:
        initial = {"name": instance.name, "away_message": instance.away_message,
                   "allowed_origins": instance.allowed_origins,
                   "members": [str(m.pk) for m in instance.members.all()]}
    form = ChannelForm(request.POST if request.method == "POST" else None, initial=initial,
                       candidates=admin_selectors.eligible_members(org))
    if request.method == "POST" and form.is_valid():
        data = services.ChannelData(
            name=form.cleaned_data["name"], away_message=form.cleaned_data.get("away_message", ""),
            allowed_origins=form.cleaned_data.get("allowed_origins", "").splitlines(),
            members=[int(pk) for pk in form.cleaned_data.get("members", [])],
        )
        try:
            channel = services.save_channel(org, data, instance)
            messages.success(request, _("%(name)s was saved.") % {"name": channel.name})
            return redirect("connectors:channel_edit", channel_id=channel.pk)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "connectors/channel_form.html", {
        "form": form, "target": instance, "has_sdk": has_feature(org, Feature.SDK),
    }, status=400 if form.errors else 200)


@portal_view("channels.manage")
@require_http_methods(["GET", "POST"])
def channel_create(request: HttpRequest) -> HttpResponse:
    return _channel_form(request, None)


@portal_view("channels.manage")
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, channel_id: int) -> HttpResponse:
    return _channel_form(request, found(selectors.channel, request.user.organisation, channel_id))


@portal_view("channels.manage")
@require_http_methods(["GET", "POST"])
def channel_delete(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = found(selectors.channel, request.user.organisation, channel_id)
    if request.method == "POST":
        name = channel.name
        services.delete_channel(channel)
        messages.success(request, _("%(name)s was disconnected and deleted.") % {"name": name})
        return redirect("connectors:channels")
    return render(request, "connectors/channel_delete.html", {"target": channel})


@portal_view("channels.manage")
@require_http_methods(["POST"])
def channel_rotate_secret(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = found(selectors.channel, request.user.organisation, channel_id)
    if channel.kind != ChannelKind.WEBCHAT:
        raise Http404
    services.rotate_identity_secret(channel)
    messages.success(request, _("A new identity secret was generated. Update it on your website's server."))
    return redirect("connectors:channel_snippet", channel.pk)


@portal_view("channels.manage")
@require_http_methods(["GET"])
def channel_snippet(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = found(selectors.channel, request.user.organisation, channel_id)
    if channel.kind != ChannelKind.WEBCHAT:
        raise Http404
    snippet = services.embed_snippet(channel)  # PlanRequired -> the 403 page naming the SDK option
    return render(request, "connectors/channel_snippet.html", {"target": channel, "snippet": snippet})


# --- Facebook Page connections (CHN-2) -----------------------------------------------------------

@portal_view("channels.manage")
@require_http_methods(["GET", "POST"])
def facebook_connect(request: HttpRequest) -> HttpResponse:
    form = FacebookPageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.connect_page(request.user.organisation, services.PageData(**form.cleaned_data),
                                         by=request.user)
            messages.success(request, _("%(name)s is connected. Finish in your Meta app with the webhook below.")
                             % {"name": page.name})
            return redirect("connectors:facebook_page", page_id=page.pk)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "connectors/facebook_connect.html", {"form": form}, status=400 if form.errors else 200)


@portal_view("channels.manage")
@require_http_methods(["GET", "POST"])
def facebook_page(request: HttpRequest, page_id: int) -> HttpResponse:
    page = found(selectors.facebook_page, request.user.organisation, page_id)
    form = FacebookReconnectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reconnect_page(page, services.PageData(page_id=page.page_id, **form.cleaned_data))
            webhooks.forget_connection(page.webhook_key)
            messages.success(request, _("The new credentials work; the Page's channels are connected again."))
            return redirect("connectors:facebook_page", page_id=page.pk)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "connectors/facebook_page.html", {
        "page": page, "form": form, "webhook_url": selectors.webhook_url(page),
        "fields": services.WEBHOOK_FIELDS.split(","),
    }, status=400 if form.errors else 200)


@portal_view("channels.manage")
@require_http_methods(["POST"])
def facebook_disconnect(request: HttpRequest, page_id: int) -> HttpResponse:
    page = found(selectors.facebook_page, request.user.organisation, page_id)
    name, key = page.name, page.webhook_key
    services.disconnect_page(page)
    webhooks.forget_connection(key)
    messages.success(request, _("%(name)s was disconnected. Its conversations stay in History.") % {"name": name})
    return redirect("connectors:channels")


# --- Meta's webhook (CHN-2) ----------------------------------------------------------------------

def _answer(answer: webhooks.Answer) -> HttpResponse:
    if isinstance(answer.body, str):
        return HttpResponse(answer.body, status=answer.status, content_type="text/plain")
    return JsonResponse(answer.body, status=answer.status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
async def facebook_webhook(request: HttpRequest, webhook_key: str) -> HttpResponse:
    """Async, so a burst of events does not queue behind one thread: the checks and the insert
    run in the database pool (core/db.py) and the event loop keeps accepting."""
    if request.method == "GET":
        return _answer(await db_call(webhooks.verify_challenge)(webhook_key, request.GET.dict()))
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > webhooks.MAX_BODY_BYTES:
        return _answer(webhooks.Answer(413, {"error": {"code": "payload_too_large",
                                                       "message": "The body is too large."}}))
    answer = await db_call(webhooks.receive)(webhook_key, request.body,
                                             request.headers.get(meta.SIGNATURE_HEADER))
    return _answer(answer)
