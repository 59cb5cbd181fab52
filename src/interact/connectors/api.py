"""API of channels (ADM-4): the supported list, website chat channels and their embed snippet."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from interact.core.api import authorize
from interact.core.errors import ServiceError
from interact.core.plans import Feature

from . import selectors, services
from .models import Channel, ChannelKind

router = Router(tags=["channels"])


class ChannelIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(ChannelKind.WEBCHAT, max_length=20, description="Only `webchat` can be created here.")
    away_message: str = Field("", max_length=services.AWAY_MESSAGE_MAX)
    allowed_origins: list[str] = Field([], max_length=services.MAX_ORIGINS,
                                       description="Websites allowed to show the chat: `http(s)://host[:port]`.")
    members: list[int] = Field([], max_length=1000)


class ChannelOut(Schema):
    id: int
    kind: str
    name: str
    away_message: str
    allowed_origins: list[str]
    members: list[int]
    is_connected: bool
    public_key: str
    facebook_page: int | None = Field(None, alias="page_id")
    last_error: str = Field("", description="Why the last call to the network failed (CHN-3); empty when fine.")
    last_error_at: datetime | None = None

    @staticmethod
    def resolve_allowed_origins(obj: Channel) -> list[str]:
        return [line for line in obj.allowed_origins.splitlines() if line]

    @staticmethod
    def resolve_members(obj: Channel) -> list[int]:
        return sorted(m.pk for m in obj.members.all())


class ConnectorOut(Schema):
    kind: str
    label: str
    description: str
    available: bool


class SnippetOut(Schema):
    channel: int
    snippet: str


def _data(payload: ChannelIn) -> services.ChannelData:
    return services.ChannelData(name=payload.name, away_message=payload.away_message,
                                allowed_origins=payload.allowed_origins, members=payload.members, kind=payload.kind)


@router.get("/channels/supported", response=list[ConnectorOut], summary="The channel types #Interact supports")
def supported(request: HttpRequest):
    authorize(request, "channels.manage")
    return [{"kind": c.kind, "label": str(c.label), "description": str(c.description), "available": c.available}
            for c in selectors.SUPPORTED]


@router.get("/channels", response=list[ChannelOut])
def list_channels(request: HttpRequest):
    return list(selectors.channels(authorize(request, "channels.manage").organisation))


@router.post("/channels", response={201: ChannelOut}, summary="Create a website chat channel")
def create_channel(request: HttpRequest, payload: ChannelIn):
    org = authorize(request, "channels.manage").organisation
    channel = services.save_channel(org, _data(payload))
    return Status(201, selectors.channel(org, channel.pk))


@router.get("/channels/{channel_id}", response=ChannelOut)
def get_channel(request: HttpRequest, channel_id: int):
    return selectors.channel(authorize(request, "channels.manage").organisation, channel_id)


@router.put("/channels/{channel_id}", response=ChannelOut)
def update_channel(request: HttpRequest, channel_id: int, payload: ChannelIn):
    org = authorize(request, "channels.manage").organisation
    channel = selectors.channel(org, channel_id)
    services.save_channel(org, _data(payload), channel)
    return selectors.channel(org, channel_id)


@router.delete("/channels/{channel_id}", response={204: None}, summary="Disconnect and delete a channel")
def delete_channel(request: HttpRequest, channel_id: int):
    org = authorize(request, "channels.manage").organisation
    services.delete_channel(selectors.channel(org, channel_id))
    return Status(204, None)


class IdentitySecretOut(Schema):
    channel: int
    secret: str


@router.get("/channels/{channel_id}/identity-secret", response=IdentitySecretOut,
            summary="The secret a website uses to sign its visitors' identifiers (HMAC-SHA256)")
def identity_secret(request: HttpRequest, channel_id: int):
    org = authorize(request, "channels.manage", feature=Feature.SDK).organisation
    channel = selectors.channel(org, channel_id)
    if channel.kind != ChannelKind.WEBCHAT:
        raise ServiceError("no_identity_secret", "Only website chat channels verify visitors' identity.",
                           status=409)
    return {"channel": channel.pk, "secret": channel.identity_secret}


@router.post("/channels/{channel_id}/identity-secret", response=IdentitySecretOut,
             summary="Replace the identity secret; signatures made with the old one stop verifying")
def rotate_identity_secret(request: HttpRequest, channel_id: int):
    org = authorize(request, "channels.manage", feature=Feature.SDK).organisation
    channel = selectors.channel(org, channel_id)
    return {"channel": channel.pk, "secret": services.rotate_identity_secret(channel)}


@router.get("/channels/{channel_id}/snippet", response=SnippetOut,
            summary="The website embed snippet (needs the #Interact SDK option)")
def snippet(request: HttpRequest, channel_id: int):
    org = authorize(request, "channels.manage").organisation
    channel = selectors.channel(org, channel_id)
    return {"channel": channel.pk, "snippet": services.embed_snippet(channel)}


# --- Facebook Page connections (CHN-2) -----------------------------------------------------------

class FacebookPageIn(Schema):
    page_id: str = Field(max_length=30)
    access_token: str = Field(max_length=1000)
    app_secret: str = Field(max_length=64)
    name: str = Field("", max_length=100)


class FacebookCredentialsIn(Schema):
    access_token: str = Field(max_length=1000)
    app_secret: str = Field(max_length=64)


class FacebookPageOut(Schema):
    id: int
    page_id: str
    name: str
    webhook_url: str
    verify_token: str
    subscribed_fields: list[str]
    channels: list[int]

    @staticmethod
    def resolve_webhook_url(obj) -> str:
        return selectors.webhook_url(obj)

    @staticmethod
    def resolve_subscribed_fields(obj) -> list[str]:
        return services.WEBHOOK_FIELDS.split(",")

    @staticmethod
    def resolve_channels(obj) -> list[int]:
        return sorted(c.pk for c in obj.channels.all())


@router.get("/facebook/pages", response=list[FacebookPageOut], tags=["facebook"])
def list_pages(request: HttpRequest):
    return list(selectors.facebook_pages(authorize(request, "channels.manage").organisation))


@router.post("/facebook/pages", response={201: FacebookPageOut}, tags=["facebook"],
             summary="Connect a Facebook Page: checks the token with Meta, creates its Messenger and comments "
                     "channels; the token and app secret are stored encrypted and never returned")
def connect_page(request: HttpRequest, payload: FacebookPageIn):
    user = authorize(request, "channels.manage")
    page = services.connect_page(user.organisation, services.PageData(**payload.dict()), by=user)
    return Status(201, selectors.facebook_page(user.organisation, page.pk))


@router.get("/facebook/pages/{page_id}", response=FacebookPageOut, tags=["facebook"])
def get_page(request: HttpRequest, page_id: int):
    return selectors.facebook_page(authorize(request, "channels.manage").organisation, page_id)


@router.put("/facebook/pages/{page_id}", response=FacebookPageOut, tags=["facebook"],
            summary="Replace the Page access token and app secret (an expired token, a rotated secret)")
def reconnect_page(request: HttpRequest, page_id: int, payload: FacebookCredentialsIn):
    from . import webhooks

    org = authorize(request, "channels.manage").organisation
    page = selectors.facebook_page(org, page_id)
    services.reconnect_page(page, services.PageData(page_id=page.page_id, **payload.dict()))
    webhooks.forget_connection(page.webhook_key)
    return selectors.facebook_page(org, page_id)


@router.delete("/facebook/pages/{page_id}", response={204: None}, tags=["facebook"],
               summary="Disconnect a Page; its conversations stay in History")
def disconnect_page(request: HttpRequest, page_id: int):
    from . import webhooks

    org = authorize(request, "channels.manage").organisation
    page = selectors.facebook_page(org, page_id)
    key = page.webhook_key
    services.disconnect_page(page)
    webhooks.forget_connection(key)
    return Status(204, None)
