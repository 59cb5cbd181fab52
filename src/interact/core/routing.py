"""Portal websocket routes of every context, collected in one list for the ASGI router (the
widget's public socket is routed separately, see asgi.py)."""

from django.urls import path

from interact.conversations.consumers import InboxConsumer
from interact.core.consumers import PortalEventsConsumer

websocket_urlpatterns = [
    path("ws/portal/", PortalEventsConsumer.as_asgi()),
    path("ws/inbox/", InboxConsumer.as_asgi()),
]
