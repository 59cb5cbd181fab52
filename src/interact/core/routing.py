"""Websocket routes of every context, collected in one list for the ASGI router."""

from django.urls import path

from interact.core.consumers import PortalEventsConsumer

websocket_urlpatterns = [
    path("ws/portal/", PortalEventsConsumer.as_asgi()),
]
