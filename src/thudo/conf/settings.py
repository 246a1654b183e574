"""Settings, driven by the environment.

THUDO_DATA_DIR       where the embedded database, uploaded files and the generated secret live (./var)
THUDO_DATABASE_URL   database URL; default: SQLite file in the data dir; ``postgres://...`` for PostgreSQL
THUDO_SECRET_KEY     secret key; required in production (THUDO_HTTPS, or a shared cache, bucket or
                     replica); elsewhere, if unset, generated once into the data dir (never in the repo)
THUDO_DEBUG          "1"/"true" for development
THUDO_ALLOWED_HOSTS  comma-separated host names (default: localhost names)
THUDO_HTTPS          "1" when served behind HTTPS: secure cookies, HSTS, SSL redirect
THUDO_BENCH_QUERIES  "1" adds an X-Queries header (SQL statements per request) for bench/
THUDO_PAYMENT_GATEWAY  dotted path of the payment gateway class, or "simulated" (demo; the default
                     only with THUDO_DEBUG=1): without one the platform refuses to start
THUDO_RATE_LOOKUP    rate of public lookups by code and secret per client address (default 30/min)
THUDO_RATE_ANONYMOUS_API  rate of API calls without sign-in per client address (default 300/min);
                     "off" disables a limit
THUDO_CACHE_URL      redis://... for a cache shared by several app servers (default: local memory)
THUDO_LOG_FORMAT     "json" (default: one JSON object per line) or "console"
THUDO_METRICS_ALLOWED  addresses/CIDRs that may read /metrics (default 127.0.0.1,::1)
THUDO_REPLICA_URL    postgres://... of a read replica for the read-only public pages (default: none)
THUDO_S3_*           an S3-compatible bucket for uploaded files (default: the local disk)

Every variable is listed in docs/operations.md ("Settings"); code reads them via thudo.core.config.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from thudo.core import logs
from thudo.core.config import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("THUDO_DATA_DIR", "var")).resolve()


def _production_without_secret() -> str:
    """Why this deployment must be given THUDO_SECRET_KEY ("" = it may generate one)."""
    if env_bool("THUDO_DEBUG"):
        return ""
    if env_bool("THUDO_HTTPS"):
        return "THUDO_HTTPS is on (production)"
    for name in ("THUDO_CACHE_URL", "THUDO_S3_BUCKET", "THUDO_REPLICA_URL"):
        if os.environ.get(name, "").strip():
            return f"{name} is set (several app servers)"
    return ""


def _secret_key() -> str:
    key = os.environ.get("THUDO_SECRET_KEY")
    if key:
        return key
    # A key generated into one server's data directory differs on every server: sessions,
    # password-reset links and signing-key passphrases would work on one of them only.
    if why := _production_without_secret():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"THUDO_SECRET_KEY is not set, and {why}: refusing to start. Give every app server, "
            "worker and scheduled command the same secret, e.g. THUDO_SECRET_KEY=$(python -c "
            "'import secrets; print(secrets.token_urlsafe(64))') kept in your secret store "
            '(docs/operations.md, "Secrets and keys").'
        )
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("THUDO_DEBUG")
HTTPS = env_bool("THUDO_HTTPS")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("THUDO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("THUDO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # thudo.core before django_tasks_db: its ``db_worker`` (the library's worker plus a
    # heartbeat) takes the place of the library's command of the same name.
    "thudo.core",
    "django_tasks_db",
    "django_prometheus",
    "health_check",
    "axes",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "thudo.identity",
    "thudo.procedures",
    "thudo.dossiers",
    "thudo.feedback",
    "thudo.signing",
    "thudo.notifications",
    "thudo.opendata",
    "thudo.tasks",
    "thudo.kpi",
    "thudo.ops",
    "thudo.web",
    "thudo.security",
]

MIDDLEWARE = [
    # HTTP metrics (django-prometheus) around everything; then the request id, bound to every log
    # line of the request and to the tasks it queues (ADR 0013).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "thudo.core.middleware.RequestIdMiddleware",
    # Every error answer under /api/ is the typed JSON error, whoever wrote it.
    "thudo.core.errorpages.ApiErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "thudo.core.middleware.BearerTokenMiddleware",
    "thudo.core.middleware.RequestContextMiddleware",
    "thudo.core.replica.ReplicaPinMiddleware",
    "thudo.security.middleware.OfficialSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "thudo.core.errorpages.DomainErrorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
if env_bool("THUDO_BENCH_QUERIES"):
    # bench/: count SQL statements per request (X-Queries header); never on in production.
    MIDDLEWARE.insert(0, "thudo.core.middleware.QueryCountMiddleware")

ROOT_URLCONF = "thudo.conf.urls"
WSGI_APPLICATION = "thudo.conf.wsgi.application"
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "thudo.web.context.platform",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("THUDO_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'thudo.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so concurrent writers queue (busy_timeout) instead of failing with "locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: compiling a plan costs seconds on a small machine and never paid off for these
    # queries (the monthly KPI query spent 2.1 of its 2.7 s compiling, bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A read replica (issue 15): a PostgreSQL hot standby that serves the read-only public pages
# (lookup, published ranking, KPI, open data) through thudo.core.replica; writes, and a
# browser's reads for THUDO_REPLICA_PIN_SECONDS after it wrote, stay on the primary.
REPLICA_URL = os.environ.get("THUDO_REPLICA_URL", "").strip()
REPLICA_PIN_SECONDS = int(os.environ.get("THUDO_REPLICA_PIN_SECONDS", "10"))
if REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_URL, conn_max_age=60, conn_health_checks=True)
    DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # the test database has no standby
    DATABASE_ROUTERS = ["thudo.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background work (django.tasks + django-tasks-db) -------------------------------------------
# Queue "demo": the demo's history, loaded by its own worker beside the site (thudo demo).
# The backend is django-tasks-db's, carrying the request id with each task (core.tasks_backend).
TASKS = {"default": {"BACKEND": "thudo.core.tasks_backend.DatabaseBackend", "QUEUES": ["default", "demo"]}}

# One process (the embedded default): local memory. Several app servers share one Redis
# (THUDO_CACHE_URL=redis://host:6379/0) so that permission caches and their invalidation are the
# same on every server (ADR 0006).
CACHE_URL = os.environ.get("THUDO_CACHE_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": os.environ.get("THUDO_CACHE_PREFIX", "thudo"),
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "thudo"}
}

# --- auth ---------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
# Lockout after repeated failed logins (django-axes): 5 failures per username+IP, 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("THUDO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_VERBOSE = False
# The client's address behind trusted proxies only (THUDO_TRUSTED_PROXIES), as in audit records.
AXES_CLIENT_IP_CALLABLE = "thudo.core.middleware.client_ip"
# Officials sign in with a second factor (TOTP) — on by default behind HTTPS (production).
THUDO_REQUIRE_2FA = env_bool("THUDO_REQUIRE_2FA", HTTPS)
# Officials' sessions expire after 8 hours or at browser close.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- security headers ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("THUDO_SSL_REDIRECT", True)
    # Load balancers and Prometheus probe the app servers over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- i18n / time --------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- files --------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from here after collectstatic
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Object storage (issue 15, ADR 0014): with THUDO_S3_BUCKET set, uploaded files, papers
# and results live in an S3-compatible bucket shared by every app server (django-storages);
# without it, on the local disk under MEDIA_ROOT. Files are private: every download is streamed
# through the application after its permission check, never linked to the bucket.
S3 = {
    "BUCKET": os.environ.get("THUDO_S3_BUCKET", "").strip(),
    "ENDPOINT_URL": os.environ.get("THUDO_S3_ENDPOINT_URL", "").strip(),
    "REGION": os.environ.get("THUDO_S3_REGION", "").strip(),
    "ACCESS_KEY_ID": os.environ.get("THUDO_S3_ACCESS_KEY_ID", ""),
    "SECRET_ACCESS_KEY": os.environ.get("THUDO_S3_SECRET_ACCESS_KEY", ""),
    "PREFIX": os.environ.get("THUDO_S3_PREFIX", "").strip().strip("/"),
    "ADDRESSING_STYLE": os.environ.get("THUDO_S3_ADDRESSING_STYLE", "path").strip(),
}
if S3["BUCKET"]:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3["BUCKET"],
            "endpoint_url": S3["ENDPOINT_URL"] or None,
            "region_name": S3["REGION"] or None,
            "access_key": S3["ACCESS_KEY_ID"] or None,
            "secret_key": S3["SECRET_ACCESS_KEY"] or None,
            "location": S3["PREFIX"],
            "addressing_style": S3["ADDRESSING_STYLE"] or None,
            "default_acl": "private",
            "file_overwrite": False,  # upload paths are random; never replace a stored paper
            "querystring_auth": True,  # a URL to the bucket is never public ...
            "querystring_expire": 60,  # ... and only short-lived (the app streams files anyway)
        },
    }
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# Demo and development keep e-mail in the local mailbox, read at /hop-thu/ (ADR 0007); behind
# HTTPS (production) the default is SMTP. THUDO_EMAIL_BACKEND chooses any Django mail backend.
_mail_backend = os.environ.get(
    "THUDO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if HTTPS else "thudo.notifications.mailbox.MailboxBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _mail_backend,
        "OPTIONS": {
            "host": os.environ.get("THUDO_SMTP_HOST", "localhost"),
            "port": int(os.environ.get("THUDO_SMTP_PORT", "25")),
        }
        if _mail_backend.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("THUDO_FROM_EMAIL", "thudoso@localhost")

# --- API ----------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200


def env_rate(name: str, default: str) -> str | None:
    """A rate such as ``30/min`` from the environment; ``off`` (or ``0``, empty) means no limit."""
    value = os.environ.get(name, default).strip()
    return None if value.lower() in {"", "0", "off", "none"} else value


# --- platform settings (rule values that are data live in the database; these are deployment facts)
THUDO = {
    # Hanoi's province code (GSO) and the root of agencies' electronic identifiers (QCVN 102:2016).
    "PROVINCE_CODE": os.environ.get("THUDO_PROVINCE_CODE", "01"),
    "AGENCY_CODE_SUFFIX": os.environ.get("THUDO_AGENCY_CODE_SUFFIX", "H26"),
    # Where citizens reach the platform (links, QR codes). Empty: the address of the request being
    # served (thudo.core.context.public_base_url); set it in production.
    "PUBLIC_BASE_URL": os.environ.get("THUDO_PUBLIC_BASE_URL", ""),
    "MAX_UPLOAD_MB": int(os.environ.get("THUDO_MAX_UPLOAD_MB", "20")),
    "DOSSIER_CODE_FORMAT": os.environ.get("THUDO_DOSSIER_CODE_FORMAT", ""),
    # The online payment gateway (thudo.dossiers.payments): a dotted path to a PaymentGateway class,
    # or "simulated" (confirms every payment: demos only). Only development defaults to
    # "simulated"; anywhere else it must be chosen, or the platform refuses to start (thudo.E001).
    "PAYMENT_GATEWAY": os.environ.get("THUDO_PAYMENT_GATEWAY", "simulated" if DEBUG else "").strip(),
    # Rate limits per client address (thudo.core.throttling): the public lookup by code and secret
    # (API, pages and files opened with the secret share one count) and anonymous API calls.
    "RATE_LOOKUP": env_rate("THUDO_RATE_LOOKUP", "30/min"),
    "RATE_ANONYMOUS_API": env_rate("THUDO_RATE_ANONYMOUS_API", "300/min"),
    "ORPHAN_GRACE_HOURS": float(os.environ.get("THUDO_ORPHAN_GRACE_HOURS", "24")),
    "DRAFT_DAYS": float(os.environ.get("THUDO_DRAFT_DAYS", "30")),
    # Tasks: remind this many working days before a task's deadline; judge a done report against
    # the "original" deadline or the "extended" one (after an approved extension).
    "TASK_REMINDER_DAYS": int(os.environ.get("THUDO_TASK_REMINDER_DAYS", "3")),
    "TASK_DEADLINE_BASIS": os.environ.get("THUDO_TASK_DEADLINE_BASIS", "extended"),
    "POPULATION_REGISTRY": os.environ.get("THUDO_POPULATION_REGISTRY", "local"),
    "POPULATION_REGISTRY_URL": os.environ.get("THUDO_POPULATION_REGISTRY_URL", ""),
    "POPULATION_REGISTRY_TOKEN": os.environ.get("THUDO_POPULATION_REGISTRY_TOKEN", ""),
    "POPULATION_REGISTRY_TIMEOUT": float(os.environ.get("THUDO_POPULATION_REGISTRY_TIMEOUT", "5")),
    "SIGNING_TRUST_ROOTS": [p for p in os.environ.get("THUDO_SIGNING_TRUST_ROOTS", "").split(",") if p],
    # Where the signing keys' encrypted PKCS#12 files are: "local" (DATA_DIR/pki) or "shared" (pki/
    # in the file storage every server uses); default "shared" with an S3 bucket, else "local".
    "SIGNING_KEY_STORE": os.environ.get("THUDO_SIGNING_KEY_STORE", ""),
    "SMS_GATEWAY_URL": os.environ.get("THUDO_SMS_GATEWAY_URL", ""),
    "SMS_GATEWAY_TOKEN": os.environ.get("THUDO_SMS_GATEWAY_TOKEN", ""),
    "ZALO_ZNS_URL": os.environ.get("THUDO_ZALO_ZNS_URL", ""),
    "ZALO_ZNS_TOKEN": os.environ.get("THUDO_ZALO_ZNS_TOKEN", ""),
    "NOTIFY_WEBHOOK_URL": os.environ.get("THUDO_NOTIFY_WEBHOOK_URL", ""),
    "NOTIFY_WEBHOOK_TOKEN": os.environ.get("THUDO_NOTIFY_WEBHOOK_TOKEN", ""),
    # Reverse proxies (IPs/CIDRs) whose X-Forwarded-For is believed; empty: the peer is the client.
    # A list that cannot be read refuses to start (the one parser: thudo.core.config).
    "TRUSTED_PROXIES": [str(n) for n in parse_networks(os.environ.get("THUDO_TRUSTED_PROXIES", ""))],
    # Operations (ADR 0013): who may read /metrics; what /readyz tolerates.
    "METRICS_ALLOWED": os.environ.get("THUDO_METRICS_ALLOWED", "127.0.0.1,::1"),
    "WORKER_SILENCE_MINUTES": float(os.environ.get("THUDO_WORKER_SILENCE_MINUTES", "3")),
    "OUTBOX_BACKLOG_MAX": int(os.environ.get("THUDO_OUTBOX_BACKLOG_MAX", "1000")),
    "WEB_WORKERS": int(os.environ.get("THUDO_WEB_WORKERS", "0")),  # 0: 2 × cores + 1
}
# The PKCS#12 passphrases of the signing keys derive from this (default: SECRET_KEY).
SIGNING_KEY_SECRET = os.environ.get("THUDO_SIGNING_KEY_SECRET", "")

# --- operations: logs, metrics (ADR 0013) ----------------------------------------------------
# JSON lines with the request id, personal identifiers masked (thudo.core.logs). THUDO_LOG_LEVEL
# sets every logger; unset, the platform's own log at INFO and the libraries at WARNING.
logs.configure()
LOGGING = logs.logging_config(
    level=os.environ.get("THUDO_LOG_LEVEL") or None,
    fmt=os.environ.get("THUDO_LOG_FORMAT", "json").strip().lower(),
)
# Database metrics (django-prometheus): the same backends, wrapped to count queries and errors.
for _db in DATABASES.values():
    if _db["ENGINE"] in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        if _db["ENGINE"].endswith("sqlite3"):
            # Django's own default for SQLite, said explicitly: pytest-django recognises SQLite
            # by the engine's name only and would name the test database after the file.
            _db.setdefault("TEST", {}).setdefault("NAME", ":memory:")
        _db["ENGINE"] = _db["ENGINE"].replace("django.db.backends.", "django_prometheus.db.backends.")
PROMETHEUS_EXPORT_MIGRATIONS = False  # /readyz says whether migrations are pending
