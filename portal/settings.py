"""Settings for the meetup portal.

Everything that differs between a laptop and production comes from the environment, so the
same file serves `make run`, the test suite and a deployment. Defaults are the embedded ones
(SQLite, in-memory channel layer, console email) so the portal runs with nothing else.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# The test suite runs with production-like settings but needs no real secret.
TESTING = "pytest" in sys.modules


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a local development key).")
    # A per-checkout key, kept out of git, so sessions survive restarts of `make run`.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The portal's name in emails (portal/email.py: the header and footer of every email).
PORTAL_NAME = os.environ.get("PORTAL_NAME", "SyDjango")

INSTALLED_APPS = [
    "daphne",  # first, so `runserver` serves ASGI with websockets
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "tailwind",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "ninja",
    "django_tasks_db",
    "django_prometheus",
    "portal",
    "theme",
    # The portal's own apps, in layer order (pyproject.toml's import-linter contract): each
    # imports only from those above it in this list.
    "meetups",
    "members",
    "rsvp",
    "cfp",
    "live",
    "notify",
    "feedback",
    "reminders",
    "organise",
]

MIDDLEWARE = [
    # /healthz and /readyz before anything: answered whatever the Host header, never
    # redirected (portal/health.py); then metrics and the request id (portal/observability.py).
    "portal.health.HealthCheckMiddleware",
    "portal.observability.RequestIdMiddleware",
    "portal.middleware.head_as_get",  # every layer from here inward sees HEAD as a GET
    "portal.pagecache.page_cache",  # anonymous public pages from the cache (docs/pages-cache.md)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.private_when_signed_in",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Innermost and synchronous: under ASGI the chain then runs as plain sync code in one
    # thread; an async-capable `MiddlewareMixin` here (django-prometheus' "after" half was)
    # would have each of its hooks handed to a thread again, per request.
    "portal.refusals.RefusalMiddleware",  # a ServiceError a view let through: its status
]

ROOT_URLCONF = "portal.urls"
ASGI_APPLICATION = "portal.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "meetups.context_processors.portal_group",
            ],
            # `{{ user|display_name }}` everywhere: one way to name a person (portal/people.py).
            "builtins": ["portal.templatetags.people"],
        },
    },
]

# SQLite by default. WAL lets readers and a writer overlap; IMMEDIATE transactions take the
# write lock up front, so concurrent writers queue instead of failing with "database is locked".
_sqlite_path = VAR_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_sqlite_path}"),
        # Each of the HTTP_THREADS threads keeps its connection between requests.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        # Check a kept (or pooled) connection before reusing it: after PostgreSQL restarts,
        # a dead connection is replaced instead of failing a request.
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# PostgreSQL: a connection pool per process (Django's built-in psycopg pool), shared by the
# HTTP threads (HTTP_THREADS) and the websocket consumers' database calls; without it every
# request opens a new connection (a few ms each). DATABASE_POOL_MAX_SIZE=0 turns it off.
_pool_max = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "20"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _pool_max > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections, not Django
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": _pool_max,
        # Seconds a request waits for a connection; while PostgreSQL is down, how long
        # before it answers 503 (portal/health.py).
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }

# Threads per server process that run Django's (sync) views: portal/asgi_http.py. Requests
# beyond this many wait on the event loop rather than each taking a thread of its own.
HTTP_THREADS = int(os.environ.get("HTTP_THREADS", "2"))

# Request bodies (portal/limits.py, enforced in portal/asgi_http.py before Django reads them):
# multipart uploads up to REQUEST_MAX_UPLOAD_BYTES, raised for some URL path prefixes by
# REQUEST_MAX_UPLOAD_BYTES_BY_PATH ("/prefix/=bytes,..."); every other body far less.
REQUEST_MAX_BODY_BYTES = int(os.environ.get("REQUEST_MAX_BODY_BYTES", str(256 * 1024)))
REQUEST_MAX_UPLOAD_BYTES = int(os.environ.get("REQUEST_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
# A talk's PDF slides (meetups/talk_resources.py) may be this big; their two upload routes
# (the page's under /slides/, the API's under /api/slides/) take it plus the form's other fields.
TALK_SLIDES_MAX_BYTES = int(os.environ.get("TALK_SLIDES_MAX_BYTES", str(20 * 1024 * 1024)))
_slides_body = TALK_SLIDES_MAX_BYTES + 64 * 1024
REQUEST_MAX_UPLOAD_BYTES_BY_PATH = {
    prefix.strip(): int(size)
    for prefix, _, size in (
        item.partition("=")
        for item in env_list(
            "REQUEST_MAX_UPLOAD_BYTES_BY_PATH",
            f"/slides/={_slides_body},/api/slides/={_slides_body}",
        )
    )
}
# Django's own checks agree: form fields (everything but files) fit in the body limit, and
# anything bigger than that (an upload, or the body being read) is spooled to a temporary file
# rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channels: in-memory for one process; Redis when several workers must share broadcasts.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            # A Redis that is down is a cache miss, not a 500 (portal/cache.py).
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Anonymous public pages (portal/pagecache.py, docs/pages-cache.md): in the same Redis under their
# own prefix, so every process sees one version of a page; without Redis in this process's
# memory, which is right for one process only.
CACHES["pages"] = (
    {**CACHES["default"], "KEY_PREFIX": "pages"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
)
# The longest a cached page lives: what time alone changes (an event starting, ending, moving to
# the archive; RSVPs opening at a set time) shows within this many seconds.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)

# Background work (emails). Immediate in development; a database-backed queue with a worker
# (`manage.py db_worker`) in production.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "portal.task_queue.DatabaseBackend",
            "dummy": "django.tasks.backends.dummy.DummyBackend",
        }[os.environ.get("TASKS_BACKEND", "immediate")],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
# Sign-up: a display name (portal.forms.SignupForm, stored as first_name), an email address and
# one password; the username is made up (portal/account_adapter.py) and never asked.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_FORMS = {"signup": "portal.forms.SignupForm"}
ACCOUNT_USER_DISPLAY = "portal.people.display_name"
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Failed logins: 10 a minute per IP address, and 5 in any 5 minutes per IP address and account
# (portal/account_adapter.py makes "key" the address and account together, so a stranger's
# wrong passwords slow the stranger down and never lock the owner out); then a 429 page.
ACCOUNT_ADAPTER = "portal.account_adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "signup": "20/h/ip"}

LANGUAGE_CODE = "en-au"
TIME_ZONE = os.environ.get("TIME_ZONE", "Australia/Sydney")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the files (a deployment, or a test server, may name its own).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

TAILWIND_APP_NAME = "theme"

# Email (Django 6.1 mailers): console in development; SMTP when EMAIL_HOST is set.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": os.environ.get(
                "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
            )
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SyDjango <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Content Security Policy: no inline scripts and no third-party assets, except the
# privacy-friendly YouTube player for recordings.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": ["https://www.youtube-nocookie.com"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Production hardening; `manage.py check --deploy` is clean when DEBUG is off.
# (The test suite speaks plain HTTP to its own servers.)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

_log_level = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _log_level},
    # Django's default config gives the "django" logger a console handler of its own (in
    # debug) on top of propagating to the root: every warning printed twice.
    "loggers": {"django": {"handlers": [], "level": _log_level, "propagate": True}},
}
# Every record carries the running request's id; LOG_FORMAT=json (the deployment's) writes
# one JSON object per line, e.g. the request log on "portal.request" (portal/observability.py).
LOGGING["filters"] = {"request_id": {"()": "portal.observability.RequestIdFilter"}}
LOGGING["formatters"] = {"json": {"()": "portal.observability.JsonFormatter"}}
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
if os.environ.get("LOG_FORMAT") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"

# Prometheus metrics (django-prometheus, plus portal/observability.py): each process that has
# METRICS_PORT serves them on 127.0.0.1:METRICS_PORT, outside Django and never via nginx.
PROMETHEUS_METRICS_EXPORT_PORT = (
    int(os.environ["METRICS_PORT"]) if os.environ.get("METRICS_PORT") else None
)
PROMETHEUS_METRICS_EXPORT_ADDRESS = "127.0.0.1"
# While the cache (Redis) is unreachable, rate limits let requests through (portal/cache.py).
RATELIMIT_FAIL_OPEN = True

# Live mode (live/): presence heartbeats and expiry, frame limits, Q&A rate limits.
# Browsers send a heartbeat every LIVE_HEARTBEAT_SECONDS; a socket silent for the TTL is closed
# and stops counting as "online now" (background tabs may throttle timers to once a minute).
LIVE_HEARTBEAT_SECONDS = int(os.environ.get("LIVE_HEARTBEAT_SECONDS", "50"))
LIVE_PRESENCE_TTL_SECONDS = float(os.environ.get("LIVE_PRESENCE_TTL_SECONDS", "150"))
LIVE_PRESENCE_TICK_SECONDS = float(os.environ.get("LIVE_PRESENCE_TICK_SECONDS", "2"))
# "Online now" is pushed to a room's screens at most once per this many seconds (live/hub.py):
# while a room reconnects its count changes every tick. Off in tests, which expect each change.
LIVE_ONLINE_PUSH_SECONDS = float(
    os.environ.get("LIVE_ONLINE_PUSH_SECONDS", "0" if TESTING else "5")
)
# Attendance changes closer together than this are shown by one counts broadcast at the end
# of the window (live/coalesce.py). Off in tests, which expect each change's frame at once.
LIVE_COUNTS_COALESCE_SECONDS = float(
    os.environ.get("LIVE_COUNTS_COALESCE_SECONDS", "0" if TESTING else "0.5")
)
# The biggest frame a client may send (heartbeats are ~400 bytes); run daphne with
# --websocket-max-message-size above this so the consumer, not the server, decides (4009).
LIVE_MAX_FRAME_BYTES = 4096
# Poll ballots closer together than this are shown by one results broadcast at the end of the
# window (live/poll_broadcast.py): at most 1/window results frames a second per event.
LIVE_POLL_COALESCE_SECONDS = float(
    os.environ.get("LIVE_POLL_COALESCE_SECONDS", "0" if TESTING else "0.25")
)
# Q&A, counts and poll-results broadcasts rendered and published by a worker thread, not the
# request that committed (live/coalesce.py). Off in tests, which expect each frame at once.
LIVE_BROADCAST_IN_BACKGROUND = env_bool("LIVE_BROADCAST_IN_BACKGROUND", not TESTING)

# One budget per action and person (portal/ratelimit.py), shared by pages, htmx and the API,
# whatever the method. django-ratelimit rates; each can be set as RATE_LIMIT_<ACTION>, e.g.
# RATE_LIMIT_CFP_VOTE=30/m.
_RATE_LIMIT_DEFAULTS = {
    "rsvp.write": "30/m",  # RSVP, guests, cancel
    "cfp.vote": "60/m",  # idea and proposal votes, added or removed
    "cfp.post": "20/h",  # ideas, proposals, co-speaker invitations
    "live.question": "5/m",
    "live.vote": "60/m",  # question votes, added or removed
    "live.poll_vote": "30/m",  # poll answers, given or changed
    "live.poll_write": "60/m",  # polls prepared, opened, closed, revealed
    "organise.message": "10/h",  # emails to an event's attendees
    "organise.invite": "20/h",  # co-organiser invitations
    "portal.export": "5/h",  # "download my data" (page and API): a whole-account query
    "portal.account_delete": "10/h",  # delete-account confirmations (password guesses)
    "feedback.save": "30/h",  # talk ratings given or changed (page, htmx and API)
    "members.join": "20/m",  # join, leave, listed on the members page
    "members.moderate": "60/m",  # organisers: remove, ban, unban, policies
    "meetups.slides_upload": "10/h",  # PDF slides attached to a talk
    "meetups.link_add": "30/h",  # links (slides, source, video) attached to a talk
    "meetups.resource_delete": "30/h",  # a talk's slides or links removed
    "notify.announce": "10/h",  # announcements sent or previewed (and a per-group cap)
    "notify.preferences": "60/m",  # email preference changes
    "reminders.plan": "60/m",  # organisers: an event's reminder times
}
RATE_LIMITS = {
    action: os.environ.get("RATE_LIMIT_" + action.upper().replace(".", "_"), rate)
    for action, rate in _RATE_LIMIT_DEFAULTS.items()
}
# Notifications (notify/): organisers' announcements per group in any 24 hours, and how long
# an unsubscribe link in an email keeps working.
NOTIFY_ANNOUNCEMENTS_PER_DAY = int(os.environ.get("NOTIFY_ANNOUNCEMENTS_PER_DAY", "3"))
NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS = int(os.environ.get("NOTIFY_UNSUBSCRIBE_MAX_AGE_DAYS", "365"))
# Reminders (reminders/, docs/reminders.md): minutes before an event's start when those going
# (and the waitlisted) are reminded, unless the organiser sets the event's own; and minutes
# after its end when attendees get the recap. Both need TASKS_BACKEND=database and a worker.
REMINDER_DEFAULT_OFFSETS_MINUTES = tuple(
    int(m) for m in os.environ.get("REMINDER_DEFAULT_OFFSETS_MINUTES", "1440,120").split(",") if m
)
RECAP_DELAY_MINUTES = int(os.environ.get("RECAP_DELAY_MINUTES", "120"))
