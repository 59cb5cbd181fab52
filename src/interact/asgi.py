"""ASGI entry point: HTTP through Django, websockets through Channels (CNV-9).

Portal sockets carry the session cookie, so they accept only this site's own origin. The
widget's socket is opened from clients' websites; it carries no cookie and checks the origin
against the channel's own list of allowed websites instead (CHN-1).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interact.settings")

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.urls import re_path  # noqa: E402

django_application = get_asgi_application()

from interact.core.routing import websocket_urlpatterns  # noqa: E402
from interact.widget.routing import websocket_urlpatterns as widget_urlpatterns  # noqa: E402

portal_sockets = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))

from interact.connectors.asgi_webhook import FacebookWebhookRoute  # noqa: E402
from interact.core.lifespan import LifespanApp  # noqa: E402

application = LifespanApp(ProtocolTypeRouter(
    {
        # Meta's webhook skips Django's middleware: 3.6x less CPU per event (connectors/asgi_webhook.py).
        "http": FacebookWebhookRoute(django_application),
        "websocket": URLRouter([*widget_urlpatterns, re_path(r"", portal_sockets)]),
    }
))
