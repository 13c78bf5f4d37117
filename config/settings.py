"""Sohbet settings: one module, driven by the environment.

With no environment at all Sohbet runs on embedded defaults (SQLite under ``var/``, an in-memory
channel layer, background jobs executed in-process, local file storage, console email). Setting
``DATABASE_URL``, ``REDIS_URL``, the storage and the email variables switches to real services.
``DEBUG`` has three states: unset, the local run (development defaults, the product's own error
pages); ``DEBUG=1``, the same with Django's debug pages; ``DEBUG=0``, production mode, which
refuses to start with the development secret key or without ``ALLOWED_HOSTS``. Every variable
is listed in README.md.
"""

import os
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("SOHBET_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

_debug = env.str("DEBUG", default="").strip().lower()
if _debug not in ("", "1", "true", "yes", "on", "0", "false", "no", "off"):
    raise ImproperlyConfigured("DEBUG is 1 (Django's debug pages), 0 (production mode) or unset.")
# Django's debug pages (tracebacks, the URL list on a 404): only when asked for.
DEBUG = _debug in ("1", "true", "yes", "on")
# Fixed at start-up from the environment (test runners flip DEBUG itself).
PRODUCTION_MODE = _debug in ("0", "false", "no", "off")

DEV_SECRET_KEY = "django-insecure-sohbet-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=[] if PRODUCTION_MODE else ["127.0.0.1", "localhost", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if PRODUCTION_MODE:
    if (
        SECRET_KEY == DEV_SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
        or len(SECRET_KEY) < 50
    ):
        raise ImproperlyConfigured(
            "Production mode (DEBUG=0) needs SECRET_KEY: a random value of at least 50 characters, "
            "not the development key."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Production mode (DEBUG=0) needs ALLOWED_HOSTS (comma-separated host names)."
        )

INSTALLED_APPS = [
    "daphne",
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "csp",
    "heroicons",
    "apps.core",
    "apps.tenants",
    "apps.visitors",
    "apps.conversations",
    "apps.canned",
    "apps.offline",
    "apps.search",
    "apps.bot",
    "apps.automation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "apps.core.middleware.InputCheckMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.AdminUnscopedMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.tenants.context_processors.workspace",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # A file, not memory, so that a test's real ASGI server process can open the test database.
    # One per test run (two runs side by side must not share it); removed when the run ends.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    # Two processes write to it in the tests (the test and its server) and may in a local run
    # (the server and a management command). SQLite's default deferred transactions fail at
    # once with "database is locked" when a transaction that has read wants to write while
    # another holds the write lock; taking the lock at BEGIN makes it wait its turn instead
    # (up to ``timeout`` seconds).
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: a pool of connections per process (Django's, psycopg_pool). Under ASGI every
# socket's database call would otherwise open and close a connection of its own; from the pool
# it takes one that is open and checked. DB_POOL=0 turns it off
# (behind PgBouncer in transaction mode, say); a positive DB_CONN_MAX_AGE keeps connections the
# old way instead.
DB_POOL = env.bool("DB_POOL", default=True)
if (
    DATABASES["default"]["ENGINE"].endswith("postgresql")
    and DB_POOL
    and not DATABASES["default"]["CONN_MAX_AGE"]
):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=20),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, Celery broker, cache ---------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # channels-redis' pub/sub layer, patient through a Redis outage (apps/core/channel_layer.py).
    # Events are doorbells: the database is the source of truth (DESIGN.md §4).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "apps.core.channel_layer.PatientRedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # Above the layer's 5 s blocking read, or idle sockets die with it.
                        "socket_timeout": env.int("REDIS_SOCKET_TIMEOUT", default=15),
                        "max_connections": env.int("REDIS_MAX_CONNECTIONS", default=1000),
                    }
                ],
                "prefix": env.str("CHANNELS_PREFIX", "sohbet"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"pool_class": "apps.core.cache.SharedConnectionPool"},
            "KEY_PREFIX": env.str("CACHE_PREFIX", "sohbet"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
# Without a broker, jobs run in-process right after the transaction commits, so they still happen.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory")
)
CELERY_TASK_EAGER_PROPAGATES = True
# Without Celery beat (the embedded defaults), the web process runs the periodic jobs itself.
PERIODIC_JOBS_IN_WEB = env.bool("PERIODIC_JOBS_IN_WEB", default=CELERY_TASK_ALWAYS_EAGER)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up would close every connection (and a prefork process's whole pool)
# before and after each task; config/celery.py returns connections to the pool instead, as
# Django does around a request. The fix-up still starts afresh after this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A job whose worker died unacknowledged is handed out again after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
# Keys of sent emails (apps.core.models.SentEmail) are kept this long: longer than any retry.
SENT_EMAIL_KEEP_DAYS = env.int("SENT_EMAIL_KEEP_DAYS", default=7)
CELERY_BEAT_SCHEDULE: dict = {
    "conversations-wake-snoozed": {
        "task": "apps.conversations.tasks.wake_snoozed",
        "schedule": env.float("SNOOZE_CHECK_EVERY_S", default=60.0),
    },
    # Assignment happens when something changes (a new conversation, an operator coming
    # online…); this sweep catches what a crash in between would leave waiting.
    "conversations-drain-queues": {
        "task": "apps.conversations.tasks.drain_queues",
        "schedule": 60.0,
    },
    # The event stream (apps/core/events.py): hand over again what a crash left unhandled, and
    # drop events past their retention.
    "events-sweep": {"task": "apps.core.tasks.sweep_events", "schedule": 15.0},
    "events-prune": {"task": "apps.core.tasks.prune_events", "schedule": 3600.0},
    # Replies the visitor has not read, emailed once their delay is over (apps/offline).
    "offline-email-due": {
        "task": "apps.offline.tasks.email_due",
        "schedule": env.float("EMAIL_DUE_CHECK_EVERY_S", default=20.0),
    },
    # Automation rules on "no reply from the team for N minutes" (apps/automation).
    "automation-silences": {"task": "apps.automation.tasks.silences", "schedule": 30.0},
}

# --- The event stream -----------------------------------------------------------------------
# Modules that register event handlers besides every installed app's ``events.py``.
EVENT_HANDLER_MODULES = env.list("EVENT_HANDLER_MODULES", default=[])
# A handler that failed this many times on one event is given up for it (logged).
EVENT_HANDLER_MAX_ATTEMPTS = env.int("EVENT_HANDLER_MAX_ATTEMPTS", default=5)
# An event still unhandled this long after it was recorded is handed over again.
EVENT_SWEEP_AFTER_SECONDS = env.int("EVENT_SWEEP_AFTER_SECONDS", default=30)
EVENT_RETENTION_DAYS = env.int("EVENT_RETENTION_DAYS", default=400)

# --- Encryption at rest (message bodies, visitor PII) ----------------------------------------
# Comma-separated Fernet keys. The first encrypts; all decrypt, so a new key can be put in front
# and `manage.py rotate_encryption_keys` re-encrypts old rows without downtime.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])
if PRODUCTION_MODE and not ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "Production mode (DEBUG=0) needs ENCRYPTION_KEYS: one or more Fernet keys, "
        "comma-separated (python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())')."
    )

# --- Live chat limits -----------------------------------------------------------------------
CHAT_MESSAGE_MAX_LENGTH = env.int("CHAT_MESSAGE_MAX_LENGTH", default=5000)
CHAT_MESSAGES_PER_MINUTE = env.int("CHAT_MESSAGES_PER_MINUTE", default=30)
CHAT_NEW_VISITORS_PER_IP_PER_HOUR = env.int("CHAT_NEW_VISITORS_PER_IP_PER_HOUR", default=60)
CHAT_FRAME_MAX_BYTES = env.int("CHAT_FRAME_MAX_BYTES", default=16384)
# A socket whose client has taken nothing for this long is ended (apps.core.consumers.send_text).
SOCKET_SEND_STALL_SECONDS = env.float("SOCKET_SEND_STALL_SECONDS", default=10.0)
# Changes of who may see what reach open inbox sockets at once (pushed); should a push be lost,
# each socket also reads its access again this often, whether or not its client sends frames
# (a few queries a socket: every 10 s cost a busy process 5 % of its CPU with 50 operators).
INBOX_ACCESS_RECHECK_SECONDS = env.float("INBOX_ACCESS_RECHECK_SECONDS", default=60.0)
# A visitor's message reopens their resolved conversation for this long; later it starts anew.
CHAT_REOPEN_WINDOW = timedelta(days=env.int("CHAT_REOPEN_DAYS", default=7))
# Public base URL of this deployment (the embed snippet points at it); empty = the request's.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")

# --- Outgoing HTTP to addresses a workspace configures (apps.core.outbound) ------------------
# Loopback addresses are refused like private ones; the tests' own servers on 127.0.0.1 need
# this on. Never in production.
OUTBOUND_ALLOW_LOOPBACK = env.bool("OUTBOUND_ALLOW_LOOPBACK", default=False)
if PRODUCTION_MODE and OUTBOUND_ALLOW_LOOPBACK:
    raise ImproperlyConfigured("OUTBOUND_ALLOW_LOOPBACK is for tests: not in production mode.")

# --- The bot's optional language model (docs/bot.md) ----------------------------------------
# The platform's OpenAI-compatible endpoint, for workspaces that turn the model on and leave
# their own address empty. All empty: no platform model.
BOT_LLM_BASE_URL = env.str("BOT_LLM_BASE_URL", default="")
BOT_LLM_MODEL = env.str("BOT_LLM_MODEL", default="")
BOT_LLM_KEY = env.str("BOT_LLM_KEY", default="")
# Seconds to wait for the model's answer before the bot sends the entry's own answer.
BOT_LLM_TIMEOUT_S = env.float("BOT_LLM_TIMEOUT_S", default=8.0)
# A chat the bot holds is resolved once nobody has written in it for this many minutes, so the
# chats the bot answered alone do not pile up in the inbox (0: never). Checked every minute.
BOT_RESOLVE_IDLE_MINUTES = env.int("BOT_RESOLVE_IDLE_MINUTES", default=30)
CELERY_BEAT_SCHEDULE["bot-resolve-idle"] = {
    "task": "apps.bot.tasks.resolve_idle",
    "schedule": 60.0,
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "tenants.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tenants:home"
LOGOUT_REDIRECT_URL = "login"
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# How long the link that confirms a signup's email address works.
SIGNUP_TTL_DAYS = env.int("SIGNUP_TTL_DAYS", default=2)

# --- Languages and time ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("tr", _("Turkish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
# Outside production the static files are served from the apps' folders as they are edited
# (no collectstatic), whether or not Django's debug pages are on.
WHITENOISE_USE_FINDERS = not PRODUCTION_MODE
WHITENOISE_AUTOREFRESH = not PRODUCTION_MODE
# WhiteNoise hands Django's ASGI handler a file iterator, which Django reads in a thread and
# warns about on every static file: expected, and not worth a line per file in the log.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "apps.core.staticfiles.StaticFilesStorage"  # hashed names, module imports too
        if PRODUCTION_MODE
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------------
_email_url = env.str("EMAIL_URL", default="consolemail://")
_email = environ.Env.email_url_config(_email_url)
if _email["EMAIL_BACKEND"].endswith(".filebased.EmailBackend"):
    # The folder is the URL's path, as in a file:// URL: filemail:///var/mail is /var/mail.
    # (django-environ drops the path's leading slash, which made every folder relative.)
    _email_folder = unquote(urlsplit(_email_url).path).lstrip("/")
    if not _email_folder:
        raise ImproperlyConfigured(
            "EMAIL_URL=filemail:// needs a folder, e.g. filemail:///var/mail/sohbet."
        )
    _email["EMAIL_FILE_PATH"] = "/" + _email_folder
globals().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sohbet <no-reply@sohbet.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Email continuity (apps/offline, docs/email.md). Each conversation that continues by email
# has its own reply address, reply+<key>@INBOUND_EMAIL_DOMAIN; mail to it comes back in by the
# IMAP mailbox (INBOUND_IMAP_URL, imap(s)://user:password@host:port/FOLDER, polled) or the
# endpoint /inbound/email/<workspace's secret>/ that inbound-mail providers post raw MIME to.
INBOUND_EMAIL_DOMAIN = env.str("INBOUND_EMAIL_DOMAIN", default="reply.sohbet.localhost")
INBOUND_IMAP_URL = env.str("INBOUND_IMAP_URL", default="")
INBOUND_IMAP_POLL_S = env.float("INBOUND_IMAP_POLL_S", default=30.0)
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=10 * 1024 * 1024)
# Incoming emails (raw, encrypted) are kept this long for inspection.
INBOUND_EMAIL_KEEP_DAYS = env.int("INBOUND_EMAIL_KEEP_DAYS", default=14)
# The IMAP mailbox is polled (nothing to do without INBOUND_IMAP_URL); incoming emails past
# INBOUND_EMAIL_KEEP_DAYS are dropped hourly.
CELERY_BEAT_SCHEDULE["offline-imap-poll"] = {
    "task": "apps.offline.tasks.imap_poll",
    "schedule": INBOUND_IMAP_POLL_S,
}
CELERY_BEAT_SCHEDULE["offline-prune-inbound"] = {
    "task": "apps.offline.tasks.prune_inbound",
    "schedule": 3600.0,
}
# How long the links in emails (back to the chat, rating, unsubscribe) work.
EMAIL_LINK_MAX_AGE_DAYS = env.int("EMAIL_LINK_MAX_AGE_DAYS", default=30)

# --- Rate limits (django-ratelimit, counted in the cache) ------------------------------------
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "apps.core.views.rate_limited"
# Behind a proxy, name the header that carries the client address (e.g. HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="") or None
# The in-memory cache counts per process; that is correct for the one-process local run.
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
if PRODUCTION_MODE:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy of every page (django-csp). Scripts and styles come from Sohbet's own
# static files; an inline <script> or <style> carries the response's nonce
# (nonce="{{ request.csp_nonce }}"), which the header names only when a page used it. Nobody
# may frame Sohbet's pages, as X_FRAME_OPTIONS says; the chat window alone (views/widget.py)
# is framed by the sites its workspace allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        # The pages' own fetches and WebSockets: 'self' covers ws: and wss: of the same host.
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
