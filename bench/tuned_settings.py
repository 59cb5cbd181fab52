"""A/B variant of the product settings, for the benchmarks only: what do two settings changes buy?

Not used unless ``BENCH_DJANGO_SETTINGS=tuned_settings`` is set; the product's own settings are
measured by default. The two changes are the fixes the measurements point to:

* ``CONN_MAX_AGE``: the product closes its PostgreSQL connection after every
  ``database_sync_to_async`` call (``conn_max_age=0``), so every socket frame that touches the
  database pays a new connection (about 5 ms here), on the one thread that runs all database
  work of the process.
* the channel layer's Redis ``socket_timeout``: redis-py 8 defaults it to 5 s, exactly
  channels-redis's blocking-pop timeout (``brpop_timeout = 5``), so under load the pop's reply
  arrives "late", raises ``TimeoutError`` inside the consumer, and the visitor's socket is closed.
  redis-py 8 also caps a pool at 100 connections, so when thousands of sockets disconnect at once
  their ``group_discard`` calls fail with ``MaxConnectionsError``; the variant raises the cap.
* the channel layer's ``capacity``: channels-redis keeps ONE Redis key per process for all of its
  sockets' channels, with the default capacity of 100 messages; when the process falls behind,
  ``group_send`` drops events silently ("channels over capacity" in the log) and agents never
  see those messages live.
"""

from interact.settings import *  # noqa: F403
from interact.settings import CHANNEL_LAYERS, DATABASES, REDIS_URL

DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["capacity"] = 5000
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [
        {"address": REDIS_URL, "socket_timeout": 30, "max_connections": 2000}]
