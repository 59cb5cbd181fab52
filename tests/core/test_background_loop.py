"""CNV-9: the job worker hands group sends to one long-lived event loop instead of starting a loop
per send; the caller does not wait for the send."""

from __future__ import annotations

import threading
import time

from interact.core import events


def test_group_sends_from_a_worker_thread_run_on_the_background_loop(monkeypatch):
    sent: list[tuple[str, int]] = []
    released = threading.Event()

    class SlowLayer:
        async def group_send(self, group, message):
            import asyncio

            await asyncio.sleep(0.05)
            sent.append((group, threading.get_ident()))
            released.set()

    monkeypatch.setattr(events, "get_channel_layer", lambda: SlowLayer())
    loop = events.start_background_loop()
    try:
        started = time.monotonic()
        events.send_to_groups([("conv.1", {"type": "inbox.event"}), ("org.1", {"type": "inbox.event"})])
        assert time.monotonic() - started < 0.04  # handed over, not awaited
        assert released.wait(2)
        time.sleep(0.01)
        assert {g for g, _ in sent} == {"conv.1", "org.1"}
        assert all(thread != threading.get_ident() for _, thread in sent)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        events.bind_server_loop(None)
