"""Shared fixtures: organisations on each plan, users of each role, signed-in clients and API clients.

Tests run on SQLite by default and on PostgreSQL + Redis when ``INTERACT_DATABASE_URL`` and
``INTERACT_REDIS_URL`` are set (``.ci/run`` does both).
"""

from __future__ import annotations

import itertools
import os

import pytest

os.environ.setdefault("INTERACT_HUEY_IMMEDIATE", "1")

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_inline():
    """Jobs run inline, in memory: settings may be imported before this file sets the variable."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True, scope="session")
def _no_persistent_connections():
    """Socket handlers run database work on pool threads; persistent connections left open there
    would keep the test database from being dropped at the end."""
    from django.db import connections

    connections["default"].settings_dict["CONN_MAX_AGE"] = 0
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request served in Dutch leaves Dutch active on the test thread (LocaleMiddleware does not
    reset it); the next test must start in the default language, whatever ran before it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached calendars must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _email_to_memory(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


@pytest.fixture
def make_org(db):
    from interact.accounts import services
    from interact.accounts.models import Organisation

    def make(plan: str = "bot", options: tuple[str, ...] = ("sdk",), min_end_users: int = 10, name: str | None = None):
        n = next(_seq)
        org = services.create_organisation_from_order_form(services.OrderFormData(
            name=name or f"Org {n}", plan=plan, options=list(options), min_end_users=min_end_users,
            first_name="First", last_name=f"Admin{n}", email=f"owner{n}@example.test", language="en"), None)
        services.activate_organisation(org, None)
        return Organisation.objects.get(pk=org.pk)

    return make


@pytest.fixture
def make_user(db):
    from interact.accounts.models import User

    def make(org, role: str = "agent", **fields):
        n = next(_seq)
        fields.setdefault("email", f"user{n}@example.test")
        fields.setdefault("first_name", f"Fn{n}")
        fields.setdefault("last_name", f"Ln{n}")
        return User.objects.create_user(fields.pop("email"), PASSWORD, organisation=org, role=role, **fields)

    return make


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def other_org(make_org):
    return make_org(name="Other Org")


@pytest.fixture
def admin(org):
    """The organisation's first end user: Administrator and Access Owner, with a known password."""
    user = org.users.get(org_profile="access_owner")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user, backend="interact.accounts.backends.LockoutBackend")
        return client

    return do


@pytest.fixture
def api_client(db):
    """A Django test client that sends a fresh personal API token for ``user``."""
    from django.test import Client

    from interact.accounts import services

    def make(user):
        _token, secret = services.create_api_token(user, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


@pytest.fixture
def always_open(org):
    """Office hours covering the whole week, so no away message interferes."""
    import datetime as dt

    from interact.admin_portal.models import OfficeHoursPeriod

    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(0, 0),
                                         closes=dt.time(23, 59))
    return org


@pytest.fixture
def asgi_server(transactional_db):
    """The real ASGI application (HTTP and websockets) served by uvicorn in a thread, against the
    test database. Use it instead of ``live_server`` (WSGI, no websockets) for live pages."""
    import socket
    import threading
    import time

    import uvicorn

    from interact.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            ws_max_size=65536)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def webchat(org):
    """A website chat channel of ``org`` with an away message."""
    from interact.connectors.models import Channel, ChannelKind

    return Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Site",
                                  away_message="We are closed; we answer tomorrow.")


@pytest.fixture
def make_visitor():
    from interact.connectors import webchat as connector

    def make(channel, language: str = "", **attributes):
        identity = connector.identify(channel)
        return connector.visitor_for(channel, identity, language=language, attributes=attributes)

    return make
