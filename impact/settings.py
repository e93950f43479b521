"""Settings of the product, read from the environment (see .env.example and the README).

Production is the default: DEBUG is off and cookies are secure unless the environment says otherwise.
`make run` sets DJANGO_DEBUG=1; tests use impact.settings_test.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    # Without SECRET_KEY in the environment, a random key is made once per checkout and kept in var/,
    # so development needs no set-up and never runs on a key that is in the repository.
    path = BASE_DIR / "var" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", False)
SECURE = env_bool("DJANGO_SECURE", not DEBUG)
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEMO_DATA_ALLOWED = env_bool("DEMO_DATA_ALLOWED", DEBUG)

INSTALLED_APPS = [
    "organisations",
    "indicators",
    "goals",
    "futures",
    "impact",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_tasks_db",
    "django_countries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "organisations.middleware.RefusePathNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "organisations.middleware.PrivateResponsesMiddleware",
    "organisations.middleware.UserLanguageMiddleware",
    "organisations.middleware.SessionLifetimeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "organisations.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The audit history records who changed what and from which address for the requests that change data.
# A GET changes nothing (tests/test_url_walk.py checks every route), so it opens no history context:
# with one open, pghistory sends a set_config with every query of the page.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

ROOT_URLCONF = "impact.urls"
WSGI_APPLICATION = "impact.wsgi.application"

# Django's form renderer with a <select> that writes its options inline (the same HTML, much faster for
# long lists): see organisations/form_renderer.py.
FORM_RENDERER = "organisations.form_renderer.FormRenderer"

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
                "organisations.context_processors.frame",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded PostgreSQL server under var/pgdata. There is no SQLite path.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
EMBEDDED_DATABASE = not DATABASE_URL
if EMBEDDED_DATABASE:
    from impact.embedded_db import ensure_running

    DATABASE_URL = ensure_running(BASE_DIR)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)}
# pgtrigger reads this setting in every trigger; defined up front it costs nothing, while an undefined
# one makes each trigger call raise and catch an error (a 3x slowdown of bulk imports).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c pgtrigger.ignore={}"
# A psycopg pool per process. Size it to gunicorn's threads (a thread holds one connection per request)
# and keep the sum over all processes below PostgreSQL's max_connections. A request that waits longer
# than DB_POOL_TIMEOUT for a connection gets 503 with Retry-After (impact.views.server_error), not a hang.
if env_bool("DB_POOL", True):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "10")),
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }
# Caches, per process. "default" holds small security state (allauth's rate limits, one-time codes used);
# "pages" holds the dashboards and annual reports kept per data version (impact.views.dashboard_html,
# impact.report_views.report_document), 100-250 KB each, in a cache of its own so that many of them
# never push the rate limits out. Its entries can be lost at any time (a restart, the limit): they are
# computed again.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_ENTRIES", "400"))},
    },
}
# Seconds the 503 page asks a client to wait before trying again (Retry-After).
SERVICE_UNAVAILABLE_RETRY_AFTER = int(os.environ.get("SERVICE_UNAVAILABLE_RETRY_AFTER", "10"))

AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked username+address before any check
    "allauth.account.auth_backends.AuthenticationBackend",  # username or email, case-insensitively
]
# ASVS 6.2: at least 12 characters, no common password (Django's offline list of 20,000), applied by
# every form that sets a password: invitation, reset, change (and allauth's forms, through its adapter).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a day
INVITATION_TIMEOUT_SECONDS = 60 * 60 * 24 * 7  # a week
EMAIL_CHANGE_TIMEOUT_SECONDS = 60 * 60 * 24  # the link that confirms a new email address: a day

# Sign-in throttling: 5 failures per username and address, then a 15-minute cool-off (answer 429).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# allauth's sign-in form posts `login` (a username or an email); the callable maps both to one username
# so the count is per person, and the address comes from the same rule as everywhere (TRUSTED_PROXY_COUNT).
AXES_USERNAME_CALLABLE = "organisations.signin.axes_username"
AXES_CLIENT_IP_CALLABLE = "organisations.signin.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

# Behind a reverse proxy: how many proxies of our own append to X-Forwarded-For (0 = no proxy: the
# header is ignored and the connection's address counts). Used by throttling, allauth and the logs.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Sign-in with django-allauth: local accounts (username or email and a password) and single sign-on
# with each organisation's own OpenID Connect identity service. No self-service sign-up: people join
# through an invitation from their organisation's admin (organisations.signin.AccountAdapter).
ACCOUNT_ADAPTER = "organisations.signin.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "organisations.signin.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False  # the session cookie ends with the browser; the idle and absolute caps hold
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
ACCOUNT_USER_DISPLAY = "organisations.signin.user_display"
# Throttling counts per account and per target address, never per client address alone: one person behind
# a municipality's NAT address must not lock out everyone else there. django-axes (above) pauses an
# account at one address after 5 failures; allauth's "login_failed" pauses an account (the typed login,
# and the one-time codes per user) after 20 failures from anywhere in 15 minutes, so the right password of
# an account nobody attacked always works. A reset link goes at most 3 times in 15 minutes to one address
# and 20 times from one client address (organisations.views.PasswordResetView). allauth's other limits
# keep their defaults (e.g. "login": 30 sign-in requests a minute per address, a flood guard).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/15m/key",
    "reset_password": "20/15m/ip,3/15m/key",
}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching is organisations.identity's rule
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10


def _oidc_apps_from_environment() -> list[dict[str, object]]:
    """OIDC_PROVIDERS=kaarnala,naapurila and, per slug (upper case, - as _), OIDC_KAARNALA_ISSUER,
    OIDC_KAARNALA_CLIENT_ID, OIDC_KAARNALA_SECRET, and OIDC_KAARNALA_AUTHORIZATION_ENDPOINT only when
    the service's authorisation endpoint is on another origin than its issuer (the sign-in page's
    form-action must name it). The provider id is the organisation's slug."""
    apps: list[dict[str, object]] = []
    for slug in env_list("OIDC_PROVIDERS", ""):
        prefix = "OIDC_" + slug.upper().replace("-", "_") + "_"
        app_settings: dict[str, object] = {"server_url": os.environ.get(prefix + "ISSUER", "")}
        if authorization_endpoint := os.environ.get(prefix + "AUTHORIZATION_ENDPOINT", ""):
            app_settings["openid_configuration_overrides"] = {
                "authorization_endpoint": authorization_endpoint
            }
        apps.append(
            {
                "provider_id": slug,
                "name": slug,
                "client_id": os.environ.get(prefix + "CLIENT_ID", ""),
                "secret": os.environ.get(prefix + "SECRET", ""),
                "settings": app_settings,
            }
        )
    return apps


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        # allauth's provider with a nonce in every request and PKCE (organisations/oidc.py).
        "provider_class": "organisations.oidc.OrganisationOIDCProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": _oidc_apps_from_environment(),
    }
}
# One-time codes (TOTP) from an authenticator app, with recovery codes; offered to everyone on the
# account page and required in every session of an admin or steward, however they signed in, unless an
# identity service asserted a second factor (organisations.identity), or the requirement is turned off
# (`make run` turns it off through DJANGO_DEBUG so the demo sign-ins work without an app).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Vaikuttava"
REQUIRE_MFA_FOR_PRIVILEGED = env_bool("REQUIRE_MFA_FOR_PRIVILEGED", not DEBUG)
# The `acr` values with which an identity service asserts a second factor (organisations.identity): by
# default the Finnish strong authentication levels (FTN substantial and high) and eIDAS substantial and
# high. Comma-separated; an empty value leaves only the service's `amr`.
OIDC_MFA_ACR_VALUES = env_list(
    "OIDC_MFA_ACR_VALUES",
    "http://ftn.ficora.fi/2017/loa2,http://ftn.ficora.fi/2017/loa3,"
    "http://eidas.europa.eu/LoA/substantial,http://eidas.europa.eu/LoA/high",
)

# Sessions: in the database (the web tier stays stateless), 30 minutes idle, 10 hours at most.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Django's CSRF page, logged as one structured line like every other 403 (impact.views.permission_denied).
CSRF_FAILURE_VIEW = "impact.views.csrf_failure"
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60

if SECURE:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # The __Host- prefix binds a cookie to this exact host over HTTPS (no Domain, Path=/).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Email (Django 6.1's MAILERS): the console under `make run`, SMTP from the environment in production.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_MAIL_OPTIONS: dict[str, object] = {}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 20,
    }
elif EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    _MAIL_OPTIONS = {"file_path": os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Vaikuttava <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Logs: one JSON object per line on standard error, for every logger (Django's, gunicorn's through
# gunicorn.conf.py, and the audit records of organisations.audit_log under "vaikuttava.audit.<area>":
# signin, tenancy, imports, exports). ScrubSecrets removes passwords, tokens and session keys first.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
logging.captureWarnings(True)  # Python warnings too become JSON records (logger py.warnings)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub_secrets": {"()": "organisations.audit_log.ScrubSecrets"},
        "no_traceback_for_client_errors": {"()": "organisations.audit_log.NoTracebackForClientErrors"},
    },
    "formatters": {"json": {"()": "organisations.audit_log.JsonLineFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["no_traceback_for_client_errors", "scrub_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Django's own console and mail handlers are replaced by the JSON one (no record printed twice).
        "django": {"handlers": [], "level": "WARNING"},
        "vaikuttava": {"level": LOG_LEVEL},
        "indicators": {"level": LOG_LEVEL},
        "impact": {"level": LOG_LEVEL},
        "axes": {"level": "WARNING"},
    },
}

ADMIN_URL = os.environ.get("ADMIN_URL", "ops-admin/")

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"  # never served directly: uploads are read by the importers only
# Uploads: refuse bodies over this size before reading them (importers check again per file).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
# An XLSX is a zip: refuse one whose members would inflate past this before reading it.
IMPORT_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_BYTES", str(200 * 1024 * 1024)))
