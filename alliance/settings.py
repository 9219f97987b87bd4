"""Settings for the Start Alliance portal.

`DJANGO_ENV` chooses the mode (development, test, production); the service URLs
(`DATABASE_URL`, `REDIS_URL`) choose the services. With nothing set this is
development: SQLite, eager Celery tasks, emails to the console.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

MODES = ("development", "test", "production")
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in MODES:
    raise ImproperlyConfigured(f"DJANGO_ENV must be one of {', '.join(MODES)}, not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    missing = [
        name
        for name in (
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_URL",
            "SITE_URL",
        )
        if not env.str(name, default="").strip()
    ]
    if missing:
        raise ImproperlyConfigured(
            f"Production mode needs these environment variables: {', '.join(missing)}."
        )

# Core

SECRET_KEY = env.str(
    "SECRET_KEY",
    default="" if PRODUCTION else "insecure-development-key-never-used-in-production",
)
DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must stay off in production mode: it shows tracebacks.")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Development without SITE_URL: runserver (alliance.devserver) sets it to the address served.
SITE_URL_FROM_SERVER = DJANGO_ENV == "development" and not env.str("SITE_URL", default="")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, so its translation tabs apply
    "alliance.apps.AllianceAdminConfig",  # django.contrib.admin, filters only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "alliance.devserver",  # runserver: SITE_URL from the served address (development)
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth.mfa's templates load it
    "django_countries",  # ISO 3166 country names in every UI language
    "allauth",
    "allauth.account",
    "allauth.mfa",  # staff's second factor: TOTP, recovery codes, WebAuthn (issue 14)
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",  # the audit log's LogEntry; before alliance.audit, which replaces its admin
    "alliance",
    "alliance.accounts",
    "alliance.mail",
    "cities",
    "startups",
    "exchanges",
    "exchanges.partners",
    "alliance.privacy",
    "alliance.audit",  # registers the audited models (after the apps it names)
]

MIDDLEWARE = [
    # First: /healthz answers probes before host validation and the HTTPS redirect.
    "alliance.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "alliance.api.middleware.ApiMiddleware",  # /api/: English, UTC, ETags and 304s
    "django.middleware.locale.LocaleMiddleware",
    "alliance.middleware.RequestSizeLimitMiddleware",
    "alliance.middleware.BadInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user read in the session's query (alliance/accounts/sessions.py)
    "alliance.accounts.sessions.AuthenticationMiddleware",
    "alliance.audit.middleware.AuditActorMiddleware",  # the audit log's actor
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "alliance.accounts.staff_security.StaffSecurityMiddleware",  # staff: 2FA, idle expiry
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "alliance.urls"
WSGI_APPLICATION = "alliance.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORM_RENDERER = "alliance.forms.SiteFormRenderer"  # one field layout and error summary

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alliance.context_processors.site",
            ],
        },
    },
]

# Database: SQLite unless DATABASE_URL names another; in production PostgreSQL
# through psycopg 3 with Django's bounded connection pool.

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# SQLite (development): a transaction takes the write lock when it begins and waits up to
# 20 s for it, so two requests writing at once (a double click) take turns; by default the
# second would fail at its first write with "database is locked", a 500.
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_POOL", default=PRODUCTION
):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The pool checks a connection before lending it: after a database restart or a
    # killed idle session it lends a live one instead of a dead one (a 500).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production mode needs a PostgreSQL DATABASE_URL.")
if PRODUCTION:
    # A transaction left open holds back the partner feed's visibility horizon
    # (exchanges/partners/feed.py): the server ends any of ours idle for this long.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c idle_in_transaction_session_timeout="
        f"{env.int('DATABASE_IDLE_TRANSACTION_SECONDS', default=60) * 1000}"
    )


def redis_db_url(url: str, index: int) -> str:
    """Return the Redis URL `url` pointing at database `index`."""
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    server = rest.split("/", 1)[0]
    return f"{scheme}://{server}/{index}" + (f"?{query}" if query else "")


# Redis: one server, the Celery broker and the cache on separate database indexes.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_BROKER_DB = env.int("REDIS_BROKER_DB", default=0)
REDIS_CACHE_DB = env.int("REDIS_CACHE_DB", default=1)
# Seconds before a Redis call gives up: a dead Redis must never hang a request.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=1.5)

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, failing open: an outage never turns a page into a 500.
            "BACKEND": "alliance.cache.FailOpenRedisCache",
            "LOCATION": redis_db_url(REDIS_URL, REDIS_CACHE_DB),
            "OPTIONS": {
                "socket_timeout": REDIS_TIMEOUT,
                "socket_connect_timeout": REDIS_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery (read by alliance/celery_app.py, namespace CELERY_)

CELERY_BROKER_URL = redis_db_url(REDIS_URL, REDIS_BROKER_DB) if REDIS_URL else "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not PRODUCTION)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
# Publishing gives up quickly; the outbox sweep delivers what was not published.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
    # Must exceed the task time limit: Redis redelivers unacked tasks after it.
    "visibility_timeout": 3600,
    "max_retries": 0,  # a publish tries the broker once; the worker reconnects on its own
}
CELERY_TIMEZONE = "Europe/Berlin"
# A message claimed by a worker that died is sent again after this lease (seconds): it
# must outlast the task time limit, or a slow but living worker would send it twice.
EMAIL_LEASE_SECONDS = env.float("EMAIL_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
# Webhooks go on their own queue (a worker of many threads: they wait on the network).
CELERY_TASK_ROUTES = {"partners.*": {"queue": "webhooks"}}
WEBHOOK_SWEEP_SECONDS = env.float("WEBHOOK_SWEEP_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "alliance.sweep_outbox", "schedule": 60.0},
    "sweep-webhooks": {"task": "partners.sweep_webhooks", "schedule": WEBHOOK_SWEEP_SECONDS},
    "expire-acceptances": {"task": "exchanges.expire_acceptances", "schedule": 300.0},
    "backfill-programmes": {"task": "exchanges.backfill_programmes", "schedule": 300.0},
    "send-reminders": {"task": "exchanges.send_reminders", "schedule": 3600.0},
    "send-submission-digests": {
        "task": "exchanges.send_submission_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "send-agreement-expiry-notices": {
        "task": "cities.send_agreement_expiry_notices",
        "schedule": crontab(hour=8, minute=0),
    },
    "apply-retention": {"task": "privacy.apply_retention", "schedule": crontab(hour=3, minute=30)},
}

# Authentication

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Django's and allauth's backends, taking the user the session's query read.
AUTHENTICATION_BACKENDS = [
    "alliance.accounts.sessions.ModelBackend",
    "alliance.accounts.sessions.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"  # reversed in the page's language: /de/ after /de/…
ACCOUNT_ADAPTER = "alliance.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Unverified users may log in and prepare drafts; submitting needs a verified address.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_FORMS = {"signup": "alliance.accounts.forms.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Start Alliance] "
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# One brute-force mechanism: allauth's rate limits, per IP only, so nobody can lock a
# founder out by failing logins with their address.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,30/h/ip"}

# Two-factor authentication (allauth.mfa): required for staff before /admin/, optional for
# founders.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Start Alliance"
# WebAuthn needs a secure origin; http://localhost counts as one in browsers, and allauth
# checks the origin itself: allowed only outside production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# Staff sessions end after this long without a request (seconds).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=2 * 3600)
# Staff need a second factor for /admin/; off only in tests/settings.py (force_login).
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=True)

# Personal data (issue 14): exports, retention, the notices.
DATA_EXPORT_LINK_HOURS = env.int("DATA_EXPORT_LINK_HOURS", default=48)
RETENTION_DRAFT_MONTHS = env.int("RETENTION_DRAFT_MONTHS", default=12)
RETENTION_DRAFT_WARNING_DAYS = env.int("RETENTION_DRAFT_WARNING_DAYS", default=30)
RETENTION_CLOSED_APPLICATION_MONTHS = env.int("RETENTION_CLOSED_APPLICATION_MONTHS", default=24)
RETENTION_UNVERIFIED_ACCOUNT_DAYS = env.int("RETENTION_UNVERIFIED_ACCOUNT_DAYS", default=30)
RETENTION_EMAIL_BODY_DAYS = env.int("RETENTION_EMAIL_BODY_DAYS", default=90)
PRIVACY_NOTICE_VERSION = "2026-12-01"  # change with the notice's text: sign-ups record it
# The operator, for the imprint and the privacy notice. Facts not in ../shared/data are not
# guessed: the register, VAT id and contact details come from the environment (empty: the
# imprint leaves the line out, and a production check warns).
OPERATOR = {
    "name": env.str("OPERATOR_NAME", default="Berlin Partner für Wirtschaft und Technologie GmbH"),
    "address": env.str("OPERATOR_ADDRESS", default=""),
    "representatives": env.str("OPERATOR_REPRESENTATIVES", default="Dr. Stefan Franzke"),
    "register": env.str("OPERATOR_REGISTER", default=""),
    "vat_id": env.str("OPERATOR_VAT_ID", default=""),
    "email": env.str("OPERATOR_EMAIL", default=""),
    "phone": env.str("OPERATOR_PHONE", default=""),
    "privacy_email": env.str("OPERATOR_PRIVACY_EMAIL", default=""),
}
# Proxies in front of the portal that we run (production: one). The client's address is
# the one the last of them saw: the X-Forwarded-For entry that many places from the end,
# which a client cannot forge. Failed logins and the API's throttles count per that address.
NUM_PROXIES = env.int("NUM_PROXIES", default=1 if PRODUCTION else 0)
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES

# Languages: the UI and the content in the network's seven languages.

LANGUAGE_CODE = "en"
# The network's seven languages, each a UI language with its URL prefix (/fr/, /zh-hans/);
# UI_LANGUAGES may switch some off (English always stays: the msgids' own language).
NETWORK_LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
    ("pl", _("Polish")),
    ("he", _("Hebrew")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Simplified Chinese")),
]
UI_LANGUAGES = env.list("UI_LANGUAGES", default=[code for code, _name in NETWORK_LANGUAGES])
LANGUAGES = [
    (code, name) for code, name in NETWORK_LANGUAGES if code == "en" or code in UI_LANGUAGES
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
# English dates in the European style ("21 December 2026, 21:28"): alliance/formats/en.
FORMAT_MODULE_PATH = ["alliance.formats"]

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "de", "fr", "he", "zh-hans", "pl", "ar")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# The admin's translation tabs load their scripts from our static files, never from a CDN.
JQUERY_URL = "admin/js/vendor/jquery/jquery.min.js"
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

# Static and media files

STATIC_URL = "/static/"
# collectstatic fills STATIC_ROOT for production; elsewhere WhiteNoise serves from the finders.
STATIC_ROOT = (
    Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))) if PRODUCTION else None
)
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Private files (agreements, pitch decks): no URL; served by views that check permissions.
    "private": {
        "BACKEND": "alliance.private_files.PrivateFileStorage",
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# A pitch deck is at most 10 MB; a form around it adds little.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=12 * 1024 * 1024)

# Email: console in development, SMTP (EMAIL_URL) in production.

DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Start Alliance Berlin <noreply@startalliance.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="startalliance.example")
STAFF_INBOX = env.list("STAFF_INBOX", default=["startalliance@berlin-partner.example"])
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email["EMAIL_HOST"],
                "port": _email["EMAIL_PORT"],
                "username": _email["EMAIL_HOST_USER"],
                "password": _email["EMAIL_HOST_PASSWORD"],
                "use_tls": _email.get("EMAIL_USE_TLS", False),
                "use_ssl": _email.get("EMAIL_USE_SSL", False),
                "timeout": env.int("EMAIL_TIMEOUT", default=20),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "alliance.mail.console.ReadableConsoleBackend"}}

# Security: on everywhere; production adds HTTPS-only cookies and HSTS.

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],  # the nonce: the API docs page's one <style>
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Rows per page of a programme's decision board (exchanges/admin/board.py).
BOARD_PAGE_SIZE = env.int("BOARD_PAGE_SIZE", default=100)
# The public programme list: programmes per page; an open call closing within this many
# days is badged "closing soon" (exchanges/calls.py).
PROGRAMME_PAGE_SIZE = env.int("PROGRAMME_PAGE_SIZE", default=12)
PROGRAMME_CLOSING_SOON_DAYS = env.int("PROGRAMME_CLOSING_SOON_DAYS", default=14)
# Seconds a rendered fragment (a programme card, the home's map) stays in the cache; its key
# names its content, so this only bounds what unused entries cost (alliance/fragments.py).
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=24 * 3600)

# Database sessions, read in one query with their user (alliance/accounts/sessions.py).
SESSION_ENGINE = "alliance.accounts.sessions"
# Seconds a session and its user stay in the cache (Redis; alliance/accounts/sessions.py):
# also the longest a session ended while Redis could not be told may be honoured. 0: off.
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=60)
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are HTTPS-only, host-only and site-wide: no subdomain can set them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True

# The API (alliance/api, cities/api.py, exchanges/api, exchanges/partners): explicit, safe
# defaults; every error as RFC 9457 problem details. Rates are per client address (behind
# NUM_PROXIES proxies) for the public endpoints and per key for partners; README documents them.

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["alliance.api.throttling.ClientAddressThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "public": env.str("API_PUBLIC_RATE", default="120/minute"),
        "partner": env.str("API_PARTNER_RATE", default="600/minute"),
        "partner_failed": env.str("API_FAILED_KEY_RATE", default="30/minute"),
    },
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "alliance.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "alliance.api.problems.exception_handler",
    "URL_FORMAT_OVERRIDE": None,  # `?format=` is the programmes' filter, not a renderer
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "NUM_PROXIES": NUM_PROXIES,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
PARTNER_PITCH_DECK_LINK_SECONDS = env.int("PARTNER_PITCH_DECK_LINK_SECONDS", default=15 * 60)
PARTNER_PAGE_SIZE = 100  # the partner list's page (and its largest)

# Partner webhooks (exchanges/partners/webhooks): README "Webhooks" for what each does.
WEBHOOK_MAX_ENDPOINTS = env.int("WEBHOOK_MAX_ENDPOINTS", default=10)  # per organisation
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=PRODUCTION)
# Loopback targets (a receiver on this machine): for development and tests, never production.
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=not PRODUCTION)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=3.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=5.0)
WEBHOOK_RESPONSE_LIMIT = 4096  # bytes of an answer read at most
WEBHOOK_RESPONSE_EXCERPT = 500  # characters of it kept in the delivery log
# Seconds to wait after each failed attempt; the default: 5 s, 5 min, 30 min, 2 h, 5 h,
# 10 h, 10 h (eight attempts over about 27.5 hours).
WEBHOOK_RETRY_SCHEDULE = env.list(
    "WEBHOOK_RETRY_SCHEDULE", cast=float, default=[5, 300, 1800, 7200, 18000, 36000, 36000]
)
WEBHOOK_DISABLE_AFTER_DAYS = env.float("WEBHOOK_DISABLE_AFTER_DAYS", default=5)
WEBHOOK_ROTATION_OVERLAP_HOURS = env.float("WEBHOOK_ROTATION_OVERLAP_HOURS", default=24)
# A worker keeps an endpoint this long before handing it back to the queue; its lease
# (after which another worker takes over from one that died) must outlast that and a try.
WEBHOOK_BATCH_SECONDS = env.float("WEBHOOK_BATCH_SECONDS", default=20.0)
WEBHOOK_LEASE_SECONDS = env.float(
    "WEBHOOK_LEASE_SECONDS",
    default=WEBHOOK_BATCH_SECONDS + WEBHOOK_CONNECT_TIMEOUT + WEBHOOK_READ_TIMEOUT + 30,
)
SPECTACULAR_SETTINGS = {
    "TITLE": "Start Alliance API",
    "DESCRIPTION": (
        "The Start Alliance's network of start-up cities (no key needed), and for partner "
        "organisations the applications to the programmes they host or co-organise "
        "(`Authorization: Api-Key <key>`, from Berlin Partner's staff).\n\n"
        "Content comes in all seven content languages (en, de, fr, he, zh-hans, pl, ar) "
        "as objects, or in one with `?lang=` (English where missing, named in "
        "`fallback_languages`). Times are UTC. Every error is an RFC 9457 problem.\n\n"
        "Sync: list `/api/v1/partner/applications/` from `updated_since`, then keep the "
        "returned `cursor` and continue from it; an application comes again in its latest "
        "form whenever it changes (upsert by `id`), and as `{id, removed: true, at}` when "
        "it leaves your view. Limits: 120 requests a minute per address on the public "
        "endpoints, 600 per key on the partner endpoints; 429 with `Retry-After`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ApplicationStateEnum": "exchanges.models.State"},
    # No request to validator.swagger.io (Swagger UI's default), nor anywhere else.
    # No deep links: Swagger UI puts each operation's link inside its toggle button (axe:
    # nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "alliance.api.schema.document_problems",
    ],
}
# Partner websites embed the open calls: any origin may GET the public endpoints, nothing else.
CORS_URLS_REGEX = r"^/api/v1/(?!partner/).*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Content-Language"]

# Logging: to stderr; never personal data in messages.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
