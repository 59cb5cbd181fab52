"""Events after commit (DESIGN): a state change publishes to channel-layer groups only once its
transaction has committed, so no socket ever sees a change that was rolled back."""

from __future__ import annotations

import asyncio
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

# The embedded default keeps groups in memory, inside the server's event loop. Code running on
# other threads (jobs run in-process, tests) must hand group messages to that loop rather than
# spin up a loop of its own, or the message would never reach a socket. With Redis the layer is
# shared by every process and this is not needed, but it is harmless.
log = logging.getLogger(__name__)
_server_loop: asyncio.AbstractEventLoop | None = None
_server_thread: int | None = None


def bind_server_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    global _server_loop, _server_thread
    _server_loop = loop
    _server_thread = threading.get_ident() if loop is not None else None


def start_background_loop() -> asyncio.AbstractEventLoop:
    """For processes without a server loop (the job worker): one event loop on its own thread
    takes every group send, instead of ``async_to_sync`` starting a loop per send (2 ms each,
    measured in bench/README.md). A send still in flight when the process stops is lost, not
    the event: clients resume from the stored log."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def run() -> None:
        bind_server_loop(loop)
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, name="group-sends", daemon=True).start()
    ready.wait()
    return loop


def send_to_group(group: str, message: dict) -> None:
    """Send one channel-layer message from synchronous code, wherever it runs."""
    send_to_groups([(group, message)])


def send_to_groups(sends: list[tuple[str, dict]]) -> None:
    """Several group sends in one hop to the event loop: each hop costs a thread switch."""
    layer = get_channel_layer()
    if layer is None or not sends:
        return

    async def all_sends() -> None:
        await asyncio.gather(*(layer.group_send(group, message) for group, message in sends))

    loop = _server_loop
    if loop is not None and loop.is_running() and threading.get_ident() != _server_thread:
        # Handed to the server's loop without waiting: the database thread is free for the next
        # message at once. Sends keep their order (the loop runs them first come, first served);
        # a send that fails is logged, and the stored event is still there for resume.
        future = asyncio.run_coroutine_threadsafe(all_sends(), loop)
        future.add_done_callback(_log_failure)
        return
    async_to_sync(all_sends)()


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("group send failed", exc_info=future.exception())


def organisation_group(org_id: int) -> str:
    return f"org.{org_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def publish(group: str, event_type: str, payload: dict) -> None:
    """Send ``{"type": "portal.event", "event": event_type, "payload": payload}`` after commit."""

    def send() -> None:
        send_to_group(group, {"type": "portal.event", "event": event_type, "payload": payload})

    transaction.on_commit(send)


def end_sessions_of(user_id: int) -> None:
    """Close every socket a user holds, e.g. on deactivation (IAM-6)."""

    def send() -> None:
        send_to_group(user_group(user_id), {"type": "session.end"})

    transaction.on_commit(send)
