"""Settings, read from the environment (OPS-1).

With no variable set, Interact runs on the *embedded default*: SQLite, an in-memory
channel layer, huey on SQLite and e-mails written to files, so one command starts a
working product. ``INTERACT_MODE=production`` switches on the hardening that
``manage.py check --deploy`` asks for and refuses to start without a real secret key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
env = os.environ

MODE = env.get("INTERACT_MODE", "embedded").strip().lower()
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured("INTERACT_MODE must be 'embedded' or 'production'")
PRODUCTION = MODE == "production"
DEMO = not PRODUCTION and env.get("INTERACT_DEMO", "1") == "1"

DATA_DIR = Path(env.get("INTERACT_DATA_DIR", Path.cwd() / "var")).resolve()


def _embedded_secret_key() -> str:
    """Keep one random key per data directory so sessions survive restarts, never in the repo."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.get("INTERACT_SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("INTERACT_SECRET_KEY is required in production mode")
    SECRET_KEY = _embedded_secret_key()

DEBUG = env.get("INTERACT_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h.strip() for h in env.get("INTERACT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env.get("INTERACT_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Fernet keys for secrets stored at rest (core/crypto.py), newest first; derived from SECRET_KEY if unset.
ENCRYPTION_KEYS = [k.strip() for k in env.get("INTERACT_ENCRYPTION_KEYS", "").split(",") if k.strip()]
# Meta's Graph API; tests point it at a local fake that answers as Meta documents (CHN-2).
GRAPH_API_URL = env.get("INTERACT_GRAPH_API_URL", "https://graph.facebook.com/v21.0").rstrip("/")
PUBLIC_URL = env.get("INTERACT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "huey.contrib.djhuey",
    "interact.core",
    "interact.accounts",
    "interact.admin_portal",
    "interact.connectors",
    "interact.conversations",
    "interact.widget",
    "interact.bots",
    "interact.stats",
    "interact.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "interact.core.middleware.PlanRequiredMiddleware",
]

ROOT_URLCONF = "interact.urls"
ASGI_APPLICATION = "interact.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "interact.core.context_processors.portal",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'interact.sqlite3'}"
# Persistent connections: a socket frame that touches the database must not pay for a new
# PostgreSQL connection each time (bench/README.md measured about 5 ms). Health checks replace a
# connection the server closed meanwhile.
DATABASES = {"default": dj_database_url.parse(env.get("INTERACT_DATABASE_URL", _default_db),
                                              conn_max_age=int(env.get("INTERACT_DB_CONN_MAX_AGE", "60")),
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["TEST"] = {"NAME": None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.get("INTERACT_REDIS_URL", "")
if REDIS_URL:
    # The channel layer moves events between server processes. Default: Redis pub/sub, one PUBLISH
    # per group send and one subscriber connection per process; it measured several times the
    # throughput of the list-based layer (bench/README.md). It keeps nothing for a socket that is
    # slow or away, which is fine here: every event is stored first, and clients resume from their
    # last event id. ``INTERACT_CHANNEL_LAYER=lists`` selects channels-redis's list-based layer,
    # sized for load (its default capacity of 100 dropped events) and with a socket timeout above
    # its 5 s blocking pop (redis-py 8's default of 5 s closed idle sockets).
    if env.get("INTERACT_CHANNEL_LAYER", "pubsub") == "lists":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "max_connections": 2000}],
                    "capacity": 2000,
                    "expiry": 60,
                },
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [{"address": REDIS_URL}]},
            }
        }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

HUEY_IMMEDIATE = env.get("INTERACT_HUEY_IMMEDIATE", "0") == "1"
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "interact", "url": REDIS_URL, "immediate": HUEY_IMMEDIATE}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "interact",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["interact.accounts.backends.LockoutBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
LOGIN_FAILURE_LIMIT = 5

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("nl", _("Dutch"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Brussels"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = not PRODUCTION

DEFAULT_FROM_EMAIL = env.get("INTERACT_FROM_EMAIL", "Interact <no-reply@interact.local>")
if env.get("INTERACT_EMAIL_URL"):
    _email = dj_database_url.parse(env["INTERACT_EMAIL_URL"].replace("smtp://", "postgres://", 1))
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email["HOST"]
    EMAIL_PORT = int(_email["PORT"] or 587)
    EMAIL_HOST_USER = _email["USER"] or ""
    EMAIL_HOST_PASSWORD = _email["PASSWORD"] or ""
    EMAIL_USE_TLS = env.get("INTERACT_EMAIL_TLS", "1") == "1"
elif PRODUCTION:
    raise ImproperlyConfigured("INTERACT_EMAIL_URL (smtp://user:password@host:port) is required in production")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.get("INTERACT_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env.get("INTERACT_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "interact.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env.get("INTERACT_LOG_LEVEL", "INFO")},
    # httpx logs each request URL at INFO, and Graph calls carry the Page access token in the
    # query string as Meta documents it: never let a token reach the logs (CHN-2).
    "loggers": {"django.server": {"level": "WARNING"}, "httpx": {"level": "WARNING"},
                "httpcore": {"level": "WARNING"}},
}
