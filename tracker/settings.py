"""Settings for the tracker. Every value that differs between machines comes from the
environment, read and validated in the block below; a bad value stops start-up with a
message naming the variable."""
import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tracker.dotenv import read_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent


try:
    _DOTENV = read_dotenv(BASE_DIR / ".env")
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value is not None else _DOTENV.get(name)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = _env(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _env_str(name: str, default: str) -> str:
    return _env(name) or default


# --- environment --------------------------------------------------------------------------
DEBUG = _env_bool("DEBUG", False)
_INSECURE_KEY = "django-insecure-local-only-key-change-me-for-any-real-deployment-0123456789"
SECRET_KEY = _env_str("SECRET_KEY", _INSECURE_KEY)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])
TIME_ZONE = _env_str("TIME_ZONE", "Asia/Shanghai")
LANGUAGE_CODE = _env_str("LANGUAGE_CODE", "zh-hans")
DATABASE_URL = _env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
SECURE = _env_bool("SECURE", not DEBUG)  # HTTPS-only cookies, HSTS and redirect; off for plain local http
EMAIL_HOST = _env_str("EMAIL_HOST", "")  # SMTP server; empty: e-mails are printed to the console
_EMAIL_PORT = _env_str("EMAIL_PORT", "25")
EMAIL_HOST_USER = _env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = _env_str("DEFAULT_FROM_EMAIL", "行动方案督办系统 <noreply@localhost>")
_CONN_MAX_AGE = _env_str("CONN_MAX_AGE", "60")  # seconds a worker keeps its database connection
STATIC_ROOT = Path(_env_str("STATIC_ROOT", "staticfiles"))  # collectstatic's output; relative: to the project
REDIS_URL = _env_str("REDIS_URL", "")  # the cache shared by every app process; empty: files under CACHE_DIR
CACHE_DIR = Path(_env_str("CACHE_DIR", "var/cache"))  # the cache without Redis, for the processes of one host
CACHE_KEY_PREFIX = _env_str("CACHE_KEY_PREFIX", "tracker")
_NUM_PROXIES = _env_str("NUM_PROXIES", "0")  # proxies of our own in front; 0: the client's address is REMOTE_ADDR
CELERY_BROKER_URL = _env_str("CELERY_BROKER_URL", "")  # the job queue; empty: jobs run in the request's process
CELERY_RESULT_BACKEND = _env_str("CELERY_RESULT_BACKEND", "")  # empty: the broker when it is Redis, else none
_VISIBILITY_TIMEOUT = _env_str("CELERY_VISIBILITY_TIMEOUT", "3600")  # s before a lost worker's job goes to another
_EXPORT_JOB_MIN_TASKS = _env_str("EXPORT_JOB_MIN_TASKS", "2000")  # a workbook of this many tasks is made by a job
_JOB_SCHEDULE = _env_str("JOB_SCHEDULE", "reminders=3600,open_periods=3600,cleanup=86400")  # name=seconds,...
_JOB_KEEP_HOURS = _env_str("JOB_KEEP_HOURS", "24")  # finished jobs and their files are kept this long
# ------------------------------------------------------------------------------------------

if not DEBUG and SECRET_KEY == _INSECURE_KEY:  # whatever SECURE says: plain http signs sessions too
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (see .env.example); `make run` writes a local .env"
    )
if not _NUM_PROXIES.isdigit():
    raise ImproperlyConfigured(
        f"NUM_PROXIES must be the number of proxies in front of the app (0 or more), not {_NUM_PROXIES!r}"
    )
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must be a redis:// (or rediss://, unix://) URL, not {REDIS_URL!r}")
for _name, _raw in (("CELERY_VISIBILITY_TIMEOUT", _VISIBILITY_TIMEOUT), ("EXPORT_JOB_MIN_TASKS", _EXPORT_JOB_MIN_TASKS),
                   ("JOB_KEEP_HOURS", _JOB_KEEP_HOURS)):
    if not _raw.isdigit():
        raise ImproperlyConfigured(f"{_name} must be a whole number (0 or more), not {_raw!r}")
if CELERY_BROKER_URL and not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "amqp://", "pyamqp://")):
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL must be a redis:// or amqp:// URL (or empty: jobs in-process), not {CELERY_BROKER_URL!r}"
    )
if not _CONN_MAX_AGE.isdigit():
    raise ImproperlyConfigured(f"CONN_MAX_AGE must be a number of seconds (0 or more), not {_CONN_MAX_AGE!r}")
try:
    # Each application worker keeps one connection for CONN_MAX_AGE seconds; the health check
    # before reuse replaces a connection the database server dropped (restart, idle timeout)
    # instead of failing the next request with it.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(_CONN_MAX_AGE), conn_health_checks=True)
    }
except Exception as exc:  # dj_database_url raises several types for a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a query that reads many rows before running it: ~100 ms for a
    # count over the reports, more than the query itself. Our queries are short; no JIT.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time: the others must queue, not fail with "database is
    # locked". Every transaction takes the write lock when it begins (IMMEDIATE: a reader
    # that later wants to write cannot be refused without waiting); a writer waits up to
    # 20 s for it (timeout); WAL lets readers go on while one writes. One who waited in vain
    # gets 503 with Retry-After (plans.services.conflicts). README: SQLite serves one office.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    })
STATIC_ROOT = STATIC_ROOT if STATIC_ROOT.is_absolute() else BASE_DIR / STATIC_ROOT
CACHE_DIR = CACHE_DIR if CACHE_DIR.is_absolute() else BASE_DIR / CACHE_DIR
# The token throttle (and anything else cached) must count across gunicorn's workers: a cache
# in one process's memory would give each worker its own count.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(CACHE_DIR)}
    )
    | {"KEY_PREFIX": CACHE_KEY_PREFIX}
}
if not _EMAIL_PORT.isdigit():
    raise ImproperlyConfigured(f"EMAIL_PORT must be a port number, not {_EMAIL_PORT!r}")
EMAIL_PORT = int(_EMAIL_PORT)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_TIMEOUT = 30  # seconds: a reminder's row stays locked while its e-mail is sent
SERVER_EMAIL = DEFAULT_FROM_EMAIL
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except Exception as exc:
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known time zone") from exc

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",  # failed-login limits: plans/login_limits.py
    "plans",
    "devtools",  # development tooling: demo data, seed fixtures, scale data, bench (commands)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from STATIC_ROOT, also with DEBUG off
    "plans.middleware.ContentSecurityPolicyMiddleware",
    "plans.middleware.DropMalformedSessionCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "plans.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "plans.views.errors.ErrorPageMiddleware",  # DEBUG on: our 404 page, not Django's technical one
    "plans.middleware.WriteCollisionMiddleware",  # "database is locked" → 503, a deadlock → 409
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into its 429 page
]

# Scripts only from this site: no inline script (the API docs load their start-up script as a
# file), no eval. Inline styles are allowed: the admin and the templates colour readings and
# bars with style attributes. Images may be data: URLs (the admin's and Swagger UI's icons).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

ROOT_URLCONF = "tracker.urls"
CSRF_FAILURE_VIEW = "plans.views.errors.csrf_failure"  # in Chinese with a way back, also with DEBUG on
WSGI_APPLICATION = "tracker.wsgi.application"
ASGI_APPLICATION = "tracker.asgi.application"

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

# Failed logins (admin form and API token) are limited per account and per address; see
# plans/login_limits.py and README "Locked-out accounts". Axes checks first, then Django's
# own backend logs in.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "plans.login_limits.LoginLimitHandler"
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_FAILURE_LIMIT = 20  # plans.login_limits.ADDRESS_LIMIT; an account from one address: ACCOUNT_LIMIT (5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "plans.login_limits.lockout_response"
AXES_CLIENT_IP_CALLABLE = "plans.client_address.client_address"  # NUM_PROXIES, as the API's throttle
AXES_ENABLE_ADMIN = False  # plans/admin/logins.py shows the attempts in Chinese, for superusers

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "plans" / "locale"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Uploaded originals (plan documents). Never served under a URL: downloads go through views that
# check who may see them. One host: a local folder; several hosts: a shared path or another
# storage backend set in STORAGES["default"].
MEDIA_ROOT = Path(_env_str("MEDIA_ROOT", "var/media"))
MEDIA_ROOT = MEDIA_ROOT if MEDIA_ROOT.is_absolute() else BASE_DIR / MEDIA_ROOT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence files (佐证材料): under MEDIA_ROOT by default, never served by URL. An
    # S3-compatible store: ATTACHMENTS_STORAGE=storages.backends.s3.S3Storage with the
    # AWS_* settings of django-storages (README, "Evidence files").
    "attachments": {"BACKEND": _env_str("ATTACHMENTS_STORAGE", "django.core.files.storage.FileSystemStorage")},
    # WhiteNoise serves what collectstatic wrote to STATIC_ROOT, gzip-compressed ahead of
    # time. Not the Manifest variant (hashed names, cached forever): it needs the manifest
    # collectstatic writes even to render {% static %}, so with DEBUG off every admin page
    # would fail until collectstatic has run (the tests never run it). Unhashed files are
    # cached for WHITENOISE_MAX_AGE (60 s) and then revalidated (304), enough for an office.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# History is a record of who changed what; reverting from it would bypass the services' rules.
SIMPLE_HISTORY_REVERT_DISABLED = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Evidence files: the largest one file, and all files of one report, request or claim together.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENTS_MAX_TOTAL_BYTES = 60 * 1024 * 1024

SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe gunicorn over plain http: /healthz answers there instead of redirecting.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

API_MAX_PAGE_SIZE = 500
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [  # Token first: anonymous callers get 401 with WWW-Authenticate
        "plans.api.authentication.StrictTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON only: people browse the API at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "plans.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "plans.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    # The throttles' client address: REMOTE_ADDR unless proxies of ours append X-Forwarded-For
    # (DRF's default, None, would believe whatever X-Forwarded-For a client sends).
    "NUM_PROXIES": int(_NUM_PROXIES),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "行动方案督办系统 API",
    "DESCRIPTION": "Plans, tasks, unit assignments, reporting periods and progress reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from this site: no CDN is reachable
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # `state` and `kind` name several choice sets each (reports, 延期申请, 办结申请; deadlines, named
    # people, the history's kinds): those used by more than one component are named here
    "ENUM_NAME_OVERRIDES": {
        "ReportStateEnum": "plans.models.choices.ReportState",
        "PersonKindEnum": "plans.models.discussion.PersonKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- jobs (Celery) ------------------------------------------------------------------------
# Work that outlasts a request runs as a job (plans/models/jobs.py, plans/jobs.py). With a
# broker, gunicorn only queues it and a `celery worker` on any host runs it; without one (the
# embedded default, `make run`) the same job runs at once in the process that asked for it.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False  # an eager job that fails is recorded as failed, like a queued one
CELERY_RESULT_BACKEND = CELERY_RESULT_BACKEND or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None)
CELERY_RESULT_EXPIRES = datetime.timedelta(days=1)
CELERY_TASK_IGNORE_RESULT = True  # a job's state is its database row; the result store only keeps failures' tracebacks
CELERY_TASK_ACKS_LATE = True  # a job is taken off the queue when it ends, so a killed worker's job runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds only the job in hand: a long export does not hold up others
# Redis hands a killed worker's job to another worker once it is CELERY_VISIBILITY_TIMEOUT old;
# each worker looks for such jobs every 10 s (kombu's default sweep is every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(_VISIBILITY_TIMEOUT), "unacked_restore_interval": 10, "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SOFT_TIME_LIMIT = 20 * 60  # a job over 20 minutes is stopped and recorded as failed
CELERY_TASK_TIME_LIMIT = 21 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
EXPORT_JOB_MIN_TASKS = int(_EXPORT_JOB_MIN_TASKS)
# An upload at least this large is checked (a returned progress sheet) or parsed (a plan document) by a job.
_SHEET_JOB_MIN_BYTES = _env_str("SHEET_JOB_MIN_BYTES", str(2**20))
_PLAN_JOB_MIN_BYTES = _env_str("PLAN_JOB_MIN_BYTES", str(2 * 2**20))
for _name, _raw in (("SHEET_JOB_MIN_BYTES", _SHEET_JOB_MIN_BYTES), ("PLAN_JOB_MIN_BYTES", _PLAN_JOB_MIN_BYTES)):
    if not _raw.isdigit():
        raise ImproperlyConfigured(f"{_name} must be a whole number of bytes (0 or more), not {_raw!r}")
SHEET_JOB_MIN_BYTES = int(_SHEET_JOB_MIN_BYTES)
PLAN_JOB_MIN_BYTES = int(_PLAN_JOB_MIN_BYTES)
JOB_KEEP_HOURS = int(_JOB_KEEP_HOURS)
JOB_SCHEDULE = {}
for _item in filter(None, (part.strip() for part in _JOB_SCHEDULE.split(","))):
    _name, _, _seconds = _item.partition("=")
    if _name.strip() not in {"reminders", "open_periods", "cleanup"} or not _seconds.strip().isdigit() \
            or int(_seconds) < 1:
        raise ImproperlyConfigured(
            f"JOB_SCHEDULE must list name=seconds for reminders, open_periods, cleanup; {_item!r} is not one"
        )
    JOB_SCHEDULE[_name.strip()] = int(_seconds)
# Several app hosts share sessions through the database; with Redis they are read from the cache first.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
