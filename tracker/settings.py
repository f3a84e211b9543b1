"""Settings for the migration-and-development tracker.

Everything that differs between a laptop and a server comes from the
environment, so there is one settings file:

- ``DJANGO_ENV``: ``development`` (default) or ``production``. Production
  turns DEBUG off by default and refuses to start without a real secret key.
- ``DATABASE_URL``: e.g. ``postgres://user@host:5432/db``; without it the
  tracker uses a SQLite file in the project folder, so ``make run`` works on a
  bare machine.
- ``SECRET_KEY``, ``DEBUG``, ``ALLOWED_HOSTS`` (comma-separated).
"""

import datetime
import os
import warnings
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENT = os.environ.get("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production")

# A development key is fine on a laptop; a server must bring its own.
_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` "
            "and pass it in the environment."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use 50+ random characters.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) this tracker is served on.")

INSTALLED_APPS = [
    # Before the admin, so its TranslationAdmin tabs and widgets win (django-modeltranslation's rule).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "recommendations",
    "atlas",
    "alerts",
    "api",
    "opendata",
    "participation",
    "bulk",
    "import_jobs",
    "languages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Any site may read the public API and open data (GET); none may write or send a token (api/middleware.py).
    "api.middleware.PublicCorsMiddleware",
    # A NUL character in the address gets a clear 400 before anything reads the database with it.
    "recommendations.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the URL's prefix (/fr/…; none is English), after the session, before CommonMiddleware.
    "django.middleware.locale.LocaleMiddleware",
    # A first visit to an unprefixed page goes to the visitor's language (languages/middleware.py).
    "languages.middleware.FirstVisitLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "recommendations.middleware.DatabaseUnavailableMiddleware",
    # A GET or HEAD whose database connection was cut mid-query (a restart) is served again, once.
    "tracker.middleware.RetrySafeRequestsMiddleware",
    # Last, as django-axes requires: turns a lockout into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "languages.switcher.language_context",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alerts.context_processors.alerts",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so templates/ can fix a widget of Django's admin for everyone
# (templates/admin/widgets/split_datetime.html labels its date and time boxes).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "tracker.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Keep connections open between requests, but check them first so a
        # restarted PostgreSQL costs one failed check, not a failed request.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, waiting up to DATABASE_CONNECT_WAIT seconds for a database that is restarting
    # (tracker/postgresql/base.py), so a PostgreSQL restart delays requests instead of failing them.
    DATABASES["default"]["ENGINE"] = "tracker.postgresql"
    # No JIT compilation (DATABASE_JIT=1 turns it back on): the tracker's heaviest reads take 0.2–3 s, and
    # PostgreSQL compiled each one costing over jit_above_cost for 60–150 ms (the disagreement count of the
    # all-items snapshot, the summary's chart, the full CSV export) without running them faster by as much
    # (docs/performance.md, "The all-items snapshot page").
    if not env_bool("DATABASE_JIT", False):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DATABASE_CONNECT_WAIT = float(os.environ.get("DATABASE_CONNECT_WAIT", "5"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for a lock instead of failing at once, and let readers
    # run while one writer writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
            # Take the write lock when a transaction begins, so a transaction
            # that reads and then writes cannot fail half-way with "database
            # is locked".
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Refuses a username+IP that failed too often, before checking the password.
    "axes.backends.AxesStandaloneBackend",
    # A user's roles (permissions) in one query instead of two (recommendations/roles.py); no passwords.
    "recommendations.roles.RolesBackend",
    # Django's ModelBackend, also accepting the email address in any case (invitations make it the username).
    "recommendations.backends.EmailOrUsernameBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The six official languages of the UN. English is the default and has no URL prefix; the others are served
# under /fr/, /es/, /ru/, /zh-hans/, /ar/ (tracker/urls.py, languages/). Translations: locale/<ll>/LC_MESSAGES.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ru", "Русский"),
    ("zh-hans", "中文"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language chosen in the switcher is remembered a year (Django's default is until the browser closes).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
TIME_ZONE = "UTC"
USE_I18N = True
# Dates follow each language's order (templates ask for DATE_FORMAT, SHORT_DATE_FORMAT…); English keeps the
# tracker's "5 March 2024" instead of Django's American "March 5, 2024" (tracker/formats/en/formats.py).
FORMAT_MODULE_PATH = ["tracker.formats"]
# Titles and names editors translate (languages/translation.py): one column per language, English the fallback.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# STATIC_COLLECTED=1 (production, and `make run`) serves what `collectstatic` wrote: file names with a content
# hash, cached for a year, and gzip-compressed copies that WhiteNoise sends to every browser that accepts them,
# so a newcomer measuring `make run` sees what production sends. Without it (the tests, a bare `runserver`)
# static files come straight from the apps (WhiteNoise's finders) and the collectstatic folder need not exist.
STATIC_COLLECTED = env_bool("STATIC_COLLECTED", default=PRODUCTION)
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
if STATIC_COLLECTED:
    WHITENOISE_AUTOREFRESH = False  # the collected files are read once, at start
else:
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "tracker.storage.CollectedStaticStorage"  # hashed, gzip-compressed (WhiteNoise), also under DEBUG
            if STATIC_COLLECTED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Where the seed command reads the source document, taxonomies and items.
FIXTURES_DIR = BASE_DIR / "fixtures"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own "django" logger has a console handler too; don't print twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Accounts, review and uploads -------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "recommendations:my_updates"
LOGOUT_REDIRECT_URL = "recommendations:home"

# The address people reach the tracker at; used in invitation emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Email: printed to the console unless an SMTP host is configured.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    # A mail server that stops answering fails the send (a task retries it) instead of holding a worker forever.
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")

# A reviewer's own updates need a second reviewer, unless the site has only one.
SINGLE_REVIEWER_MODE = env_bool("SINGLE_REVIEWER_MODE", default=False)

# Evidence files: stored under generated names, served only as downloads
# through a permission-checked view (MEDIA_ROOT is never served directly).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/evidence-files-are-not-served-directly/"
# The size limit of an uploaded file (evidence, import spreadsheet), in MB; services.upload_limit applies it.
EVIDENCE_MAX_MB = int(os.environ.get("EVIDENCE_MAX_MB", "10"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Above this many rows (by the planner's estimate) the history table is
# counted approximately on the home page and in the admin (PostgreSQL only).
EXACT_COUNT_BELOW = int(os.environ.get("EXACT_COUNT_BELOW", "100000"))

# --- Background work (Celery), alerts and digests ------------------------------

# With a broker, tasks go to workers (`make worker`); without one they run
# eagerly in the process that sends them, so a bare machine needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Eagerly, a failed task is retried at once (bounded) and logged, not raised into the web request.
CELERY_TASK_EAGER_PROPAGATES = False
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_IGNORE_RESULT = True  # tasks record their outcome in the database
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "tracker")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# Daily and weekly digests go out at the first run after this hour (UTC); weekly ones on Mondays.
DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "6"))
# Status exports (XLSX) with more rows than this are built by a task and offered as a download.
EXPORT_IN_BACKGROUND_ABOVE = int(os.environ.get("EXPORT_IN_BACKGROUND_ABOVE", "20000"))
# A bulk review of more updates than this runs on the background worker (its page shows the progress);
# one bulk review takes at most BULK_REVIEW_MAX updates.
BULK_REVIEW_IN_BACKGROUND_ABOVE = int(os.environ.get("BULK_REVIEW_IN_BACKGROUND_ABOVE", "200"))
BULK_REVIEW_MAX = int(os.environ.get("BULK_REVIEW_MAX", "10000"))
# An import (preview or confirmation) whose worker gave no news for this many seconds is shown as stopped,
# with a Retry button (its worker probably died; what it had begun was rolled back).
IMPORT_JOB_STALLED_AFTER = int(os.environ.get("IMPORT_JOB_STALLED_AFTER", "300"))
# A digest being sent is left alone this long before another run may take it over (its sender died: a worker
# killed mid-send). Longer than the send's hard time limit (90 s).
DIGEST_LEASE_SECONDS = int(os.environ.get("DIGEST_LEASE_SECONDS", "600"))
# Digests are built and sent this many people per task (one set of queries, one mail connection each).
DIGEST_BATCH_SIZE = int(os.environ.get("DIGEST_BATCH_SIZE", "200"))
# Notifications and digest records are kept this long.
NOTIFICATIONS_KEEP_DAYS = int(os.environ.get("NOTIFICATIONS_KEEP_DAYS", "180"))
# Prepared exports are deleted after this many hours.
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", "24"))

# --- Security -----------------------------------------------------------------

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures the same
# username from the same address is refused until the cool-off has passed.
# The lock expires on its own; `python manage.py axes_reset` lifts it early.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every command; failures are still logged (logger "axes")
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Failures and lockouts are rows in the database, so every app server counts the same failures.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# The client's address, for every per-address limit: tracker/client_address.py (X-Forwarded-For only
# BEHIND_PROXY). django-ipware is not installed, so without this axes would count the proxy's address.
AXES_CLIENT_IP_CALLABLE = "tracker.client_address.client_address"
# The reverse proxy sets X-Forwarded-For and X-Forwarded-Proto; without one, both are the client's own words.
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Password reset (per address and per IP address, counted in the shared cache below): at most
# PASSWORD_RESET_PER_ADDRESS emails to one address and PASSWORD_RESET_PER_IP requests from one IP
# address an hour; more get a clear message (429).
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_PER_ADDRESS", "3"))
PASSWORD_RESET_LIMIT_PER_IP = int(os.environ.get("PASSWORD_RESET_PER_IP", "10"))
PASSWORD_RESET_WINDOW_SECONDS = 3600

# "Take part" requests (/take-part/): TAKE_PART_PER_IP an hour from one IP address; a form sent sooner than
# TAKE_PART_MIN_SECONDS after the page opened, or later than a day, is refused (no third-party CAPTCHA).
TAKE_PART_LIMIT_PER_IP = int(os.environ.get("TAKE_PART_PER_IP", "5"))
TAKE_PART_MIN_SECONDS = int(os.environ.get("TAKE_PART_MIN_SECONDS", "3"))
TAKE_PART_FORM_MAX_AGE = 86400

# The cache holds what every process and server must share: the password-reset throttle, rate limits and
# short-lived summaries. With REDIS_CACHE_URL (or CACHE_URL), e.g. redis://127.0.0.1:6379/1, it is that
# Redis database (django-redis), which every app server points at; without it, a table in the database
# (created by a migration), so `make run` needs no Redis and several processes still share it.


def redis_cache(location: str, key_prefix: str = "tracker") -> dict:
    """Django's cache on a Redis database (django-redis), which every app server points at."""
    if not location.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_CACHE_URL must be a Redis URL (redis://host:port/db, rediss://… or unix://…), not {location!r}"
        )
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "TIMEOUT": 3600,
        # Two trackers on one Redis database need different prefixes.
        "KEY_PREFIX": key_prefix,
        # A Redis that does not answer fails the request within seconds instead of holding a server thread.
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }


CACHE_URL = os.environ.get("REDIS_CACHE_URL") or os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": redis_cache(CACHE_URL, os.environ.get("CACHE_KEY_PREFIX", "tracker"))}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tracker_cache",
            "TIMEOUT": 3600,
        }
    }

# Sessions end after SESSION_HOURS (default 12) and are stored in the database, so any number of app servers
# share them and a Redis restart logs nobody out: Django's db engine, read by a statement built once
# (tracker/sessions.py). SESSION_ENGINE=django.contrib.sessions.backends.cached_db reads them through the
# shared cache first (still written to the database).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_HOURS", "12")) * 3600
SESSION_ENGINE = os.environ.get("SESSION_ENGINE", "tracker.sessions")

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): scripts only from this site, never
# inline; styles from this site (inline style attributes allowed: they cannot
# run code); images also from data: URIs (Bootstrap's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Public API (api app) and open data (opendata app) ---------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    # Reads are public. AllowAny (the same as no class at run time) is what drf-spectacular reads to document
    # it: the schema's security then offers anonymous access ({}) beside the token; writes use WriteScope.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.AnonymousRate", "api.throttles.TokenRate"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # 0, not None: DRF's None trusts any X-Forwarded-For a client sends. (AnonymousRate reads the address
    # from tracker/client_address.py; this keeps any other DRF throttle to the same rule.)
    "NUM_PROXIES": 1 if BEHIND_PROXY else 0,
}
# Requests per client (anonymous: per IP address; with a token: per account), e.g. "120/min", "5000/hour".
API_RATES = {
    "anon": os.environ.get("API_RATE_ANONYMOUS", "120/min"),
    "user": os.environ.get("API_RATE_TOKEN", "600/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Migration & development tracker API",
    "DESCRIPTION": (
        "Read the calls to action of the 2006 hearings on international migration and development, the countries "
        "and organizations tracked and their current statuses (filtered exactly as the reports), and, with a "
        "personal API token, log and review progress updates under the same rules as the web forms. "
        "Data licence: CC BY 4.0."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ItemKindEnum": "recommendations.models.Kind",
        "ActorKindEnum": "recommendations.models.ActorKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}
# The open-data package: where `export_open_data` (and the nightly task) writes dated releases, served at /data/.
OPEN_DATA_DIR = Path(os.environ.get("OPEN_DATA_DIR", BASE_DIR / "open-data"))
