"""Server start-up and shutdown (ASGI lifespan).

On start the server binds its event loop for :func:`interact.core.events.send_to_group`. In the
embedded default (no Redis) it also runs the job worker inside the server process when
``INTERACT_INPROCESS_WORKER=1`` (``interact demo`` sets it): the in-memory channel layer exists
only in this process, so a job that publishes an event must run here to reach the sockets.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

from interact.core.events import bind_server_loop

log = logging.getLogger(__name__)
DB_THREADS = int(os.environ.get("INTERACT_DB_THREADS", "16"))


def _start_worker():
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    # Every app's jobs must be known before the first dequeue: jobs queued before this process
    # started (the demo seed, a previous run) would otherwise be dropped as unknown, and
    # periodic jobs never run. ``run_huey`` does the same for a separate worker.
    autodiscover_modules("tasks")
    consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=True, check_worker_health=False)
    consumer.start()
    log.info("in-process job worker started")
    return consumer


class LifespanApp:
    def __init__(self, app):
        self.app = app
        self.consumer = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                loop = asyncio.get_running_loop()
                # Socket handlers run their database work on this pool (``core.db.db_call``);
                # Python's default of cores + 4 threads left messages queueing behind a few
                # slow transactions.
                loop.set_default_executor(ThreadPoolExecutor(max_workers=DB_THREADS,
                                                             thread_name_prefix="db"))
                bind_server_loop(loop)
                if not settings.REDIS_URL and os.environ.get("INTERACT_INPROCESS_WORKER") == "1":
                    self.consumer = _start_worker()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.consumer is not None:
                    self.consumer.stop(graceful=True)
                bind_server_loop(None)
                await send({"type": "lifespan.shutdown.complete"})
                return
