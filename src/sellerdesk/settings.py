"""Django settings, read from the environment (see README "Configuration").

Embedded mode (no DATABASE_URL): SQLite, Huey on SQLite and the in-memory channel layer, all
under SELLERDESK_VAR_DIR (default ./var), with keys generated there on first start.
Scale-out: DATABASE_URL (PostgreSQL) and REDIS_URL, keys from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sellerdesk.lib import env

ENV = os.environ

VAR_DIR = Path(ENV.get("SELLERDESK_VAR_DIR", "var")).resolve()
DATABASES = {"default": env.parse_database_url(ENV.get("DATABASE_URL"), var_dir=VAR_DIR)}
EMBEDDED = env.is_sqlite(DATABASES["default"])
REDIS_URL = env.parse_redis_url(ENV.get("REDIS_URL"))

_keys = env.load_keys(ENV, var_dir=VAR_DIR, embedded=EMBEDDED)
SECRET_KEY = _keys.secret_key
SELLERDESK_CREDENTIALS_KEYS = list(_keys.credentials_keys)

DEBUG = env.env_bool(ENV, "SELLERDESK_DEBUG", default=False)
# Set by `sellerdesk demo`: shows the demo-only pages in the header.
DEMO = env.env_bool(ENV, "SELLERDESK_DEMO", default=False)
ALLOWED_HOSTS = env.env_list(ENV, "SELLERDESK_ALLOWED_HOSTS") or ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = env.env_list(ENV, "SELLERDESK_CSRF_TRUSTED_ORIGINS")

# A test that needs PostgreSQL, Redis or a browser fails instead of skipping when this is set
# (CI sets it, so a missing install step cannot pass silently).
REQUIRE_SERVICES = env.env_bool(ENV, "SELLERDESK_REQUIRE_SERVICES", default=False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin.apps.SimpleAdminConfig",
    "channels",
    "django_htmx",
    "sellerdesk.runtime",
    "sellerdesk.accounts",
    "sellerdesk.team",
    "sellerdesk.customers",
    "sellerdesk.orders",
    "sellerdesk.marketplaces",
    "sellerdesk.tickets",
    "sellerdesk.mail",
    "sellerdesk.sla",
    "sellerdesk.compliance",
    "sellerdesk.snippets",
    "sellerdesk.search",
    "sellerdesk.analytics",
    "sellerdesk.workspace",
    "sellerdesk.realtime",
    "sellerdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "sellerdesk.urls"
WEBSOCKET_URLPATTERNS = "sellerdesk.realtime.routing.websocket_urlpatterns"
ASGI_APPLICATION = "sellerdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sellerdesk.demo.context.demo_flag",
                "sellerdesk.team.context.notifications",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link works for three hours
# Agents start their day in the inbox (the accounts overview stays one click away).
LOGIN_REDIRECT_URL = "ticket_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
# Browser packages installed by `npm ci` from package-lock.json (Chart.js), served as
# /static/chart.js/...: never copied into the repository by hand.
REPO_DIR = Path(__file__).resolve().parents[2]
STATICFILES_DIRS = [("chart.js", REPO_DIR / "node_modules" / "chart.js" / "dist")]
# Raw mail sources and attachments (the embedded mode keeps them under the var dir).
MEDIA_ROOT = Path(ENV.get("SELLERDESK_MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "media/"  # never served directly: attachments go through permission-checked views

# Only a collected static directory when one is asked for; otherwise served from the apps.
STATIC_ROOT = ENV.get("SELLERDESK_STATIC_ROOT") or None
# Serve app static files straight from the installed packages: the embedded mode must work
# from a fresh clone without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

_email = env.parse_email_url(ENV.get("EMAIL_URL"))
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = _email.default_from

CACHES: dict[str, dict[str, Any]]
CHANNEL_LAYERS: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sellerdesk",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "sellerdesk"},
        }
    }
else:
    # One process in the embedded mode, so a per-process cache and channel layer are shared
    # by everything that needs sharing.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Task queue (built in sellerdesk.runtime.queue): Redis when REDIS_URL is set, else a SQLite
# file beside the database.
HUEY_NAME = ENV.get("SELLERDESK_QUEUE_NAME", "sellerdesk")
HUEY_SQLITE_PATH = VAR_DIR / "queue.sqlite3"
HUEY_WORKERS = env.env_int(ENV, "SELLERDESK_WORKERS", 4, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": ENV.get("SELLERDESK_LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO: a full sync would print thousands of lines.
    "loggers": {
        "huey": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},  # aiosmtpd (the demo relay) logs every SMTP line
    },
}
