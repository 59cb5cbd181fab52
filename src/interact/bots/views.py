"""Portal pages of chatbots (BOT-1) and the inbox's pause / restart buttons (BOT-2).

Every page needs the Bot plan: on other plans :class:`PlanRequired` becomes the 403 page that
names the plan. The secret and the API key are shown once, in the answer to the POST that made
them; they are never stored in the session or shown again.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from interact.conversations import selectors as conversation_selectors
from interact.conversations import views as inbox_views
from interact.core.access import portal_view
from interact.core.errors import ServiceError
from interact.core.plans import Feature

from . import selectors, services
from .forms import BotForm
from .models import Chatbot

MANAGE = "bots.manage"


@portal_view(MANAGE, feature=Feature.CHATBOT)
@require_http_methods(["GET"])
def bot_list(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    return render(request, "bots/bot_list.html", {
        "bots": selectors.bots(org), "free_channels": services.bot_channels(org).exists()})


def _credentials(request: HttpRequest, bot: Chatbot, *, secret: str | None = None, api_key: str | None = None,
                 status: int = 200) -> HttpResponse:
    return render(request, "bots/bot_credentials.html", {"target": bot, "secret": secret, "api_key": api_key},
                  status=status)


def _form(request: HttpRequest, instance: Chatbot | None) -> HttpResponse:
    org = request.user.organisation
    initial = None
    if instance is not None:
        initial = {"name": instance.name, "channel": instance.channel_id, "platform": instance.platform,
                   "endpoint_url": instance.endpoint_url, "timeout_seconds": instance.timeout_seconds,
                   "is_enabled": instance.is_enabled}
    channels = services.bot_channels(org, current=instance)  # the bot's own channel stays choosable
    form = BotForm(request.POST if request.method == "POST" else None, initial=initial, channels=channels)
    if request.method == "POST" and form.is_valid():
        data = services.BotData(channel_id=form.cleaned_data["channel"], name=form.cleaned_data["name"],
                                platform=form.cleaned_data["platform"], endpoint_url=form.cleaned_data["endpoint_url"],
                                timeout_seconds=form.cleaned_data["timeout_seconds"],
                                is_enabled=form.cleaned_data["is_enabled"])
        try:
            if instance is None:
                created = services.connect(org, data, request.user)
                return _credentials(request, created.bot, secret=created.secret, api_key=created.api_key,
                                    status=201)
            bot = services.update(instance, data)
            messages.success(request, _("%(name)s was saved.") % {"name": bot.name})
            return redirect("bots:bot_edit", bot_id=bot.pk)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "bots/bot_form.html", {"form": form, "target": instance},
                  status=400 if form.errors else 200)


@portal_view(MANAGE, feature=Feature.CHATBOT)
@require_http_methods(["GET", "POST"])
def bot_create(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@portal_view(MANAGE, feature=Feature.CHATBOT)
@require_http_methods(["GET", "POST"])
def bot_edit(request: HttpRequest, bot_id: int) -> HttpResponse:
    return _form(request, selectors.bot(request.user.organisation, bot_id))


@portal_view(MANAGE, feature=Feature.CHATBOT)
@require_http_methods(["GET", "POST"])
def bot_delete(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = selectors.bot(request.user.organisation, bot_id)
    if request.method == "POST":
        name = bot.name
        services.disconnect(bot)
        messages.success(request, _("%(name)s was disconnected; its conversations went to the queue.")
                         % {"name": name})
        return redirect("bots:bots")
    return render(request, "bots/bot_delete.html", {"target": bot})


@portal_view(MANAGE, feature=Feature.CHATBOT)
@require_POST
def bot_rotate_api_key(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = selectors.bot(request.user.organisation, bot_id)
    return _credentials(request, bot, api_key=services.rotate_api_key(bot))


@portal_view(MANAGE, feature=Feature.CHATBOT)
@require_POST
def bot_rotate_secret(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = selectors.bot(request.user.organisation, bot_id)
    return _credentials(request, bot, secret=services.rotate_secret(bot))


# --- the inbox's buttons (BOT-2) -------------------------------------------------------------------

@portal_view("bots.handover", feature=Feature.CHATBOT)
@require_POST
def pause(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = conversation_selectors.conversation(request.user, conversation_id)
    try:
        services.pause(conv, request.user)
    except ServiceError as exc:
        return inbox_views._done(request, conv, error=exc)
    return inbox_views._done(request, conv, _("The bot is paused for this visitor; the conversation is yours."))


@portal_view("bots.handover", feature=Feature.CHATBOT)
@require_POST
def restart(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conv = conversation_selectors.conversation(request.user, conversation_id)
    try:
        services.restart(conv.visitor, request.user)
    except ServiceError as exc:
        return inbox_views._done(request, conv, error=exc)
    text = _("The bot answers this visitor again.")
    if inbox_views._still_visible(request.user, conv.pk):
        return inbox_views._done(request, conv, text)
    messages.success(request, text)
    return inbox_views._leave(request)
