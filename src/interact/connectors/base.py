"""The connector interface (CHN-4): what a channel's transport must provide.

A connector turns its transport's inbound events into
:func:`interact.conversations.services.receive_message` calls, and delivers the outbound
messages the delivery job hands it. Adding WhatsApp, e-mail or Telegram means writing one
module that implements :class:`Connector` and registering it; the conversation engine,
routing, inbox and history stay unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from interact.conversations.models import Message


class DeliveryFailed(Exception):
    """The transport refused or could not be reached. ``retryable`` errors are tried again with
    backoff; the others mark the message failed at once (CNV-10, CHN-3)."""

    def __init__(self, reason: str, *, retryable: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Connector(Protocol):
    kind: ClassVar[str]
    supports_bots: ClassVar[bool]

    def deliver(self, message: Message) -> str | None:
        """Send one outbound message; return the transport's id for it, if it gives one."""


_REGISTRY: dict[str, Connector] = {}


def register(connector: Connector) -> Connector:
    _REGISTRY[connector.kind] = connector
    return connector


def connector_for(kind: str) -> Connector:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"no connector for channel kind {kind!r}") from None


def registered_kinds() -> list[str]:
    return sorted(_REGISTRY)
