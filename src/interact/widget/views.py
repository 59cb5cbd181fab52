"""The demo website (CHN-1): a fictional shop that embeds the chat widget exactly as a client would,
so a demo visitor and the browser tests exercise the real snippet, script and socket."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from interact.connectors.models import Channel, ChannelKind


def _demo_channel() -> Channel | None:
    from interact.accounts.models import Organisation
    from interact.core.demo import DEMO_ORG

    organisation = Organisation.objects.filter(name=DEMO_ORG).first()
    if organisation is None:
        return None
    return (Channel.objects.filter(organisation=organisation, kind=ChannelKind.WEBCHAT, is_connected=True)
            .order_by("pk").first())


def _chosen_channel(public_key: str) -> Channel | None:
    return Channel.objects.filter(public_key=public_key, kind=ChannelKind.WEBCHAT, is_connected=True).first()


def widget_script_url(request: HttpRequest) -> str:
    """The script's absolute URL on the host serving this page, so the demo works on any port
    (the portal's snippet uses PUBLIC_URL; a test server listens on a random port)."""
    return request.build_absolute_uri(static("widget/interact-widget.js"))


@require_GET
def demo_site(request: HttpRequest) -> HttpResponse:
    """Public on purpose: it stands for a client's website, whose visitors never sign in."""
    public_key = request.GET.get("channel", "").strip()
    channel = _chosen_channel(public_key) if public_key else _demo_channel()
    if channel is None:
        reason = (_("No website chat channel has this key.") if public_key else
                  _("There is no demo data yet: run “interact demo” (or “interact manage seed_demo”) first."))
        return render(request, "widget/demo_missing.html", {"reason": reason}, status=404)
    context = {"channel": channel, "script_url": widget_script_url(request)}
    return render(request, "widget/demo_site.html", context)
