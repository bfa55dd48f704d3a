"""Guji settings: one file, read from the environment by helpers that fail loudly.

Development runs with no environment at all (SQLite under var/, DEBUG on). Production sets
GUJI_ENV=production, which turns DEBUG off, requires GUJI_SECRET_KEY and GUJI_ALLOWED_HOSTS and
switches on the HTTPS protections (see README, "Deploying").
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}.")
    return value == "true"


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


GUJI_ENV = env_str("GUJI_ENV", "development")
if GUJI_ENV not in ("development", "production"):
    raise ImproperlyConfigured("GUJI_ENV must be 'development' or 'production'.")
PRODUCTION = GUJI_ENV == "production"

DEBUG = env_bool("GUJI_DEBUG", not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env_str("GUJI_SECRET_KEY")
    ALLOWED_HOSTS = env_list("GUJI_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set GUJI_ALLOWED_HOSTS (comma-separated) in production.")
else:
    SECRET_KEY = env_str("GUJI_SECRET_KEY", "development-only-not-a-secret")
    ALLOWED_HOSTS = env_list("GUJI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("GUJI_CSRF_TRUSTED_ORIGINS")

VAR_DIR = Path(env_str("GUJI_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite database and task queue live here

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # guji before simple_history: its clean_*_history commands (which refuse to prune the audit
    # trail without an explicit flag) replace simple_history's own.
    "guji",
    "simple_history",
    "guardian",
    "huey.contrib.djhuey",
    "axes",
    "guji.files",
    "guji.protection",
    "guji.exchange",
    "guji.api",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guji.reports",
    "census",
    "conservation",
    "environment",
    "environment.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "guji.middleware.IdleSessionMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "guji.middleware.PrivatePagesMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "guji.urls"
WSGI_APPLICATION = "guji.wsgi.application"

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
                "django.template.context_processors.i18n",
                "guji.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL names another database (postgres://… for scale).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'guji.sqlite3'}",
        conn_max_age=env_int("GUJI_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the Huey worker write while pages read; IMMEDIATE avoids lock upgrades.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in-memory test database
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "guji.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username or address
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous visitors hold no permissions
GUARDIAN_MONKEY_PATCH_USER = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("GUJI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("GUJI_STATIC_ROOT", str(VAR_DIR / "static")))
if not PRODUCTION:  # WhiteNoise warns at every start without it; production runs collectstatic
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("GUJI_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: downloads go through permission-checking views
# Downloads: in production the web server sends the file after the view's permission check.
# nginx: X-Accel-Redirect, with an internal location at GUJI_SENDFILE_PREFIX aliasing MEDIA_ROOT;
# Apache/lighttpd: X-Sendfile (a path on disk). Empty: Django streams the file itself.
GUJI_SENDFILE_HEADER = env_str("GUJI_SENDFILE_HEADER", "")
if GUJI_SENDFILE_HEADER not in ("", "X-Accel-Redirect", "X-Sendfile"):
    raise ImproperlyConfigured("GUJI_SENDFILE_HEADER: X-Accel-Redirect, X-Sendfile or empty.")
GUJI_SENDFILE_PREFIX = env_str("GUJI_SENDFILE_PREFIX", "/protected-media/")

# Catalogue exchange (guji.exchange): the OAI-PMH repository harvesters see. The identifier is a
# domain name the city controls; record identifiers are oai:<identifier>:<holding id>.
GUJI_OAI_REPOSITORY_IDENTIFIER = env_str("GUJI_OAI_REPOSITORY_IDENTIFIER", "guji.example.org")
GUJI_OAI_REPOSITORY_NAME = env_str("GUJI_OAI_REPOSITORY_NAME", "古籍普查登记目录")
GUJI_OAI_ADMIN_EMAIL = env_str("GUJI_OAI_ADMIN_EMAIL", "guji@localhost")
GUJI_OAI_PAGE_SIZE = env_int("GUJI_OAI_PAGE_SIZE", 100)  # records per ListRecords response

# Audit trail: reasons are sentences, not 100-character labels.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# E-mail: notifications go to users who have an address. The console backend prints them (the
# demo); a deployment sets GUJI_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and
# Django's EMAIL_HOST etc. through its own settings module.
EMAIL_BACKEND = env_str("GUJI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("GUJI_FROM_EMAIL", "guji@localhost")
GUJI_SITE_URL = env_str("GUJI_SITE_URL", "http://localhost:8000")  # links in e-mails
# The city whose census this is: titles the citywide catalogue (《桐溪市古籍普查登记目录》).
GUJI_CITY_NAME = env_str("GUJI_CITY_NAME", "桐溪市")

# Background work: Huey with SQLite storage by default; Redis when HUEY_REDIS_URL is set.
HUEY_REDIS_URL = os.environ.get("HUEY_REDIS_URL", "")
HUEY = {
    "name": "guji",
    "immediate": env_bool("GUJI_HUEY_IMMEDIATE", False),
    # Processes, not threads: a PDF laid out in parallel (guji.files.documents) needs the cores.
    "consumer": {
        "workers": env_int("GUJI_HUEY_WORKERS", 2),
        "worker_type": env_str("GUJI_HUEY_WORKER_TYPE", "process"),
    },
}
if HUEY["consumer"]["worker_type"] not in ("process", "thread"):
    raise ImproperlyConfigured("GUJI_HUEY_WORKER_TYPE: process or thread.")
if HUEY_REDIS_URL:
    HUEY["huey_class"] = "huey.RedisHuey"
    HUEY["url"] = HUEY_REDIS_URL
else:
    HUEY["huey_class"] = "huey.SqliteHuey"
    HUEY["filename"] = str(Path(env_str("GUJI_HUEY_FILE", str(VAR_DIR / "huey.sqlite3"))))

# Mail (excursion notices): printed to the console unless a backend is configured.
EMAIL_BACKEND = env_str("GUJI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("GUJI_DEFAULT_FROM_EMAIL", "guji@localhost")

# Jobs whose worker went silent this long are marked failed (guji.files.recovery); the files
# of jobs finished this many days ago (uploads, exports, archives) are removed daily.
GUJI_JOB_STALE_MINUTES = env_int("GUJI_JOB_STALE_MINUTES", 5)
# A holdings list exported in the request up to this many rows; a longer one by a background job.
GUJI_EXPORT_INLINE_ROWS = env_int("GUJI_EXPORT_INLINE_ROWS", 3000)
GUJI_FILE_RETENTION_DAYS = env_int("GUJI_FILE_RETENTION_DAYS", 30)

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
GUJI_MAX_UPLOAD_BYTES = env_int("GUJI_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Photographs one upload request may carry (each is verified in the request; derivatives are
# made by the worker).
GUJI_MAX_PHOTOS_PER_UPLOAD = env_int("GUJI_MAX_PHOTOS_PER_UPLOAD", 20)
GUJI_PAGE_SIZE = 50

SESSION_COOKIE_HTTPONLY = True
# A session ends after this long without a request (guji.middleware.IdleSessionMiddleware renews
# it at most once a minute, so an active user is not logged out and pages do not write per hit).
GUJI_SESSION_IDLE_SECONDS = env_int("GUJI_SESSION_IDLE_SECONDS", 8 * 3600)
SESSION_COOKIE_AGE = GUJI_SESSION_IDLE_SECONDS

# Login throttling (django-axes): after GUJI_LOGIN_FAILURES_PER_USER failed logins for one
# username, or GUJI_LOGIN_FAILURES_PER_ADDRESS from one address, within GUJI_LOCKOUT_MINUTES,
# further attempts are refused for GUJI_LOCKOUT_MINUTES. The centre administrator sees and lifts
# lockouts at /lockouts/. Behind a reverse proxy set GUJI_AXES_IP_HEADER (e.g. HTTP_X_REAL_IP).
GUJI_LOGIN_FAILURES_PER_USER = env_int("GUJI_LOGIN_FAILURES_PER_USER", 10)
GUJI_LOGIN_FAILURES_PER_ADDRESS = env_int("GUJI_LOGIN_FAILURES_PER_ADDRESS", 30)
GUJI_LOCKOUT_MINUTES = env_int("GUJI_LOCKOUT_MINUTES", 15)
AXES_HANDLER = "guji.lockouts.GujiAxesHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = GUJI_LOGIN_FAILURES_PER_USER  # the handler applies the address limit too
AXES_COOLOFF_TIME = GUJI_LOCKOUT_MINUTES / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "guji.lockouts.lockout_response"
AXES_VERBOSE = False
if ip_header := env_str("GUJI_AXES_IP_HEADER", ""):
    AXES_IPWARE_META_PRECEDENCE_ORDER = [ip_header, "REMOTE_ADDR"]

# The read API (guji.api, docs/api.md): tokens or a session, read-only, cursor pages, throttled.
# Rates: requests per user; "api_burst" guards against a runaway client, "api_user" the day.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "guji.api.access.TokenAuthentication",  # first: its challenge makes strangers' 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["guji.api.access.ReadOnlyForSignedIn"],
    "DEFAULT_PAGINATION_CLASS": "guji.api.access.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "guji.api.access.BurstThrottle",
        "guji.api.access.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_burst": env_str("GUJI_API_BURST_RATE", "120/min"),
        "api_user": env_str("GUJI_API_DAILY_RATE", "20000/day"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guji read API",
    "DESCRIPTION": "The city's ancient-book register, read-only. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["guji.api.access.ReadOnlyForSignedIn"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files, never a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"GradeEnum": "guji.models.Grade"},
}

# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("GUJI_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("GUJI_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("GUJI_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole registrable domain (often the city's) for years: the
        # domain's owner opts in with GUJI_HSTS_PRELOAD=true, so its warning is not ours to raise.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GUJI_LOG_LEVEL", "WARNING")},
    # The worker's start, stop and task errors, once: run_huey adds no handler of its own then.
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
