"""One settings module, read from environment variables.

Defaults are the embedded development setup (SQLite, tasks in-process, email to the console) when
DEBUG is on, and safe production values when it is off.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_VALUES = ("1", "true", "yes", "on")
FALSE_VALUES = ("0", "false", "no", "off")


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; an unknown value stops start-up (`DEBUG=maybe` must not mean False)."""
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a boolean: use one of {', '.join(TRUE_VALUES)} "
        f"or {', '.join(FALSE_VALUES)}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number, optionally bounded; anything else stops start-up naming the variable."""
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    too_low = minimum is not None and value < minimum
    too_high = maximum is not None and value > maximum
    if too_low or too_high:
        if maximum is None:
            allowed = f"of at least {minimum}"
        elif minimum is None:
            allowed = f"of at most {maximum}"
        else:
            allowed = f"from {minimum} to {maximum}"
        raise ImproperlyConfigured(f"{name}={value} is out of range: use a whole number {allowed}.")
    return value


def env_str(name: str, default: str) -> str:
    """A string; an empty variable counts as unset, as for the other helpers."""
    return os.environ.get(name, "").strip() or default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_roll_time(name: str, default: str) -> str:
    """A 24-hour 'HH:MM' local time, checked now rather than on the first check of the day."""
    value = env_str(name, default)
    hours, sep, minutes = value.partition(":")
    if not (sep and len(hours) == len(minutes) == 2 and (hours + minutes).isdigit()) or not (
        int(hours) < 24 and int(minutes) < 60
    ):
        raise ImproperlyConfigured(f"{name}={value!r} is not a time: use HH:MM (24-hour), e.g. 17:00.")
    return value


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate 'N/period' (period s, m, h or d): DRF would only fail on the first request."""
    value = env_str(name, default)
    count, sep, period = value.partition("/")
    if not (sep and count.isdigit() and period[:1] in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate: use N/s, N/min, N/hour or N/day.")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, in any letter case; anything else stops start-up naming the variable."""
    value = env_str(name, default)
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name}={value!r}: use one of {', '.join(choices)}.")


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "accounts",
    "positions",
    "limits",
    "analytics",
    # Above every app: the demo loader writes through all of them (manage.py load_demo).
    "riskplatform.demo",
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
]

ROOT_URLCONF = "riskplatform.urls"
WSGI_APPLICATION = "riskplatform.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; a generous timeout keeps the in-process demo from "database is locked",
    # and IMMEDIATE takes the write lock when a transaction begins, so a transaction that reads first
    # cannot deadlock another on upgrading its lock (the pre-trade check's lock is then the transaction).
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
# Every key this deployment puts in Redis (cache, order-rate window, tokens) starts with it, so two
# deployments can share one Redis.
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "riskplatform")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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

# Tests force settings.DEBUG off; tie whitenoise to our own flag so development and test runs serve
# from the finders instead of expecting a collected STATIC_ROOT.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

LOGIN_URL = "/admin/login/"

# --- Email -------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "riskplatform@localhost")

# --- Security (production defaults when DEBUG is off) ------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- REST framework ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "riskplatform.api_errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_RENDERER_CLASSES": (
        ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"]
    ),
    "DEFAULT_THROTTLE_RATES": {"auth": env_rate("AUTH_THROTTLE_RATE", "30/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "riskplatform API",
    "DESCRIPTION": "Positions, limits, pre-trade checks and risk analytics. See the API contract.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Accounts, strategies and groups share one kill-switch vocabulary: one enum in the schema.
    "ENUM_NAME_OVERRIDES": {"TradingStateEnum": "accounts.models.TradingState"},
}

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# --- Risk platform ------------------------------------------------------------------------------
# The firm's trading day starts at this local time in TIME_ZONE; daily P&L and default reservation
# expiry are measured from it.
RISK_DAY_ROLL_TIME = env_roll_time("RISK_DAY_ROLL_TIME", "00:00")
# Marks older than this many seconds are stale for the pre-trade check.
RISK_MAX_MARK_AGE_SECONDS = env_int("RISK_MAX_MARK_AGE_SECONDS", 3 * 24 * 3600, minimum=0)
# Nightly risk report time (firm time zone) for celery beat.
RISK_REPORT_HOUR = env_int("RISK_REPORT_HOUR", 22, minimum=0, maximum=23)
# A fixed lifetime of a reservation in seconds; 0 keeps it until the end of the firm's risk day (the
# next RISK_DAY_ROLL_TIME), when an unfilled day order is gone anyway.
RISK_RESERVATION_TTL_SECONDS = env_int("RISK_RESERVATION_TTL_SECONDS", 0, minimum=0)
# Where the order-rate window and the generation tokens of cached limits and instruments live, shared
# by every process (limits/shared_state): "redis" (needs REDIS_URL) or "database".
RISK_SHARED_STATE = env_choice(
    "RISK_SHARED_STATE", "redis" if REDIS_URL else "database", ("redis", "database")
)
if RISK_SHARED_STATE == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("RISK_SHARED_STATE=redis needs REDIS_URL.")
# How the pre-trade check locks, reads and stores (limits/checks/store): "postgres", the fast path of
# prepared statements in two round trips (PostgreSQL only), or "orm", the plain reference.
_ON_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
RISK_CHECK_STORE = env_choice("RISK_CHECK_STORE", "postgres" if _ON_POSTGRES else "orm", ("postgres", "orm"))
if RISK_CHECK_STORE == "postgres" and not _ON_POSTGRES:
    raise ImproperlyConfigured("RISK_CHECK_STORE=postgres needs a PostgreSQL DATABASE_URL.")
# Tests set this so that a missing PostgreSQL or Redis fails the run instead of skipping.
RISK_REQUIRE_SERVICES = env_bool("RISK_REQUIRE_SERVICES", False)

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
