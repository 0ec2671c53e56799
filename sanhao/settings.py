"""Settings of Sanhao, all read from the environment (see .env.example).

DEBUG is off unless the environment turns it on (`make demo` and the tests do), so a
server whose operator forgot a variable gets no development key and no demo accounts.
Production sets SECRET_KEY, AUDIT_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

from pathlib import Path

import dj_database_url

from sanhao.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
# The key of the audit log's hash chain: kept outside the database, never in it, and
# different from SECRET_KEY. verify_audit needs the same key; changing it breaks the chain.
DEV_AUDIT_KEY = "dev-only-audit-key"
AUDIT_KEY = env_str("AUDIT_KEY", DEV_AUDIT_KEY if DEBUG else "")
if not AUDIT_KEY:
    raise RuntimeError("AUDIT_KEY must be set when DEBUG is off")
if AUDIT_KEY == SECRET_KEY:
    raise RuntimeError("AUDIT_KEY must differ from SECRET_KEY")
# A short key could be guessed offline from a database dump, and the chain re-signed.
if not DEBUG and (len(AUDIT_KEY) < 32 or AUDIT_KEY == DEV_AUDIT_KEY):
    raise RuntimeError("AUDIT_KEY must be at least 32 random characters when DEBUG is off")
# Voter codes are stored as HMAC-SHA-256 under BALLOT_CODE_KEY: a database dump alone cannot
# test guesses offline. Its own key, so that neither of the others can be used in its place.
DEV_BALLOT_CODE_KEY = "dev-only-ballot-code-key"
BALLOT_CODE_KEY = env_str("BALLOT_CODE_KEY", DEV_BALLOT_CODE_KEY if DEBUG else "")
if not DEBUG and (len(BALLOT_CODE_KEY) < 32 or BALLOT_CODE_KEY in (SECRET_KEY, AUDIT_KEY)):
    raise RuntimeError(
        "BALLOT_CODE_KEY must be set, at least 32 characters, and differ from "
        "SECRET_KEY and AUDIT_KEY"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "三好创争")
# The deployed commit, for the office's status page; empty: read from the checkout's .git.
GIT_COMMIT = env_str("GIT_COMMIT", "")

INSTALLED_APPS = [
    "sanhao.accounts.admin_site.SanhaoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sanhao.audit",
    "sanhao.accounts",
    "sanhao.orgs",
    "sanhao.campaigns",
    "sanhao.rankings",
    "sanhao.targets",
    "sanhao.records",
    "sanhao.events",
    "sanhao.checks",
    "sanhao.deviations",
    "sanhao.notices",
    "sanhao.projects",
    "sanhao.panels",
    "sanhao.ballots",
    "sanhao.workdays",
    "sanhao.awards",
    "sanhao.leaderboard",
    "sanhao.jobs",
    "sanhao.backups",
    "sanhao.demo",
    "sanhao.ops",
]

MIDDLEWARE = [
    # First, so that it times and names every request, a redirect to HTTPS included.
    "sanhao.ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sanhao.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sanhao.accounts.middleware.IdleTimeoutMiddleware",
    "sanhao.accounts.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sanhao.urls"
WSGI_APPLICATION = "sanhao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sanhao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sanhao.accounts.context_processors.site",
            ],
            "builtins": ["sanhao.lib.urltags"],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or any database URL) through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'sanhao.sqlite3'}")
# Connections are kept for DB_CONN_MAX_AGE seconds and checked before reuse: opening one
# per request cost more than most pages (docs/performance.md).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA synchronous=FULL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the voting page's guess counters (sanhao.ballots.guard). With several
# gunicorn workers they must be shared: REDIS_URL; without it each process counts alone.
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background jobs (sanhao.jobs): django-tasks with its database backend, so the queue needs
# no server of its own and lives in the database every application server shares; the
# worker is `manage.py run_worker`. JOBS_BACKEND=immediate runs a job inside the request
# that starts it (the tests; a single-user trial without a worker).
JOBS_BACKEND = env_str("JOBS_BACKEND", "database")
if JOBS_BACKEND not in ("database", "immediate"):
    raise RuntimeError("JOBS_BACKEND must be database or immediate")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if JOBS_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default"],
    }
}
# A running job whose heartbeat has not moved for this long belongs to a dead worker.
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 60)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sanhao.accounts.backends.AccountBackend",
]
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Behind a reverse proxy: HTTPS and the client's address come from its headers, believed
# only as far as TRUSTED_PROXIES (the number of proxies in front of gunicorn) goes.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 1)
# The addresses the nearest proxy connects from: the header is believed from them only.
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", ["127.0.0.1", "::1"])
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login throttling (django-axes): an account is locked from one address after repeated
# failures there. Keyed on the pair (account, client address), so failures from
# elsewhere never lock out a user who signs in from their usual address.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "sanhao.lib.net.throttle_address"
# Beyond that lock, an account that failed ACCOUNT_FAILURE_LIMIT times from anywhere within
# the cool-off is refused from every address it has not signed in from successfully
# (sanhao.accounts.forms): guessing from many addresses stops, the office's desk still works.
ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 30)
KNOWN_ADDRESS_DAYS = 90
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("LOGIN_THROTTLE", True)

# Sessions: office accounts are signed out after OFFICE_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
OFFICE_IDLE_SECONDS = env_int("OFFICE_IDLE_MINUTES", 30) * 60
IDLE_REFRESH_SECONDS = 60  # the idle window moves (one session write) at most this often
SESSION_ENGINE = "sanhao.accounts.sessions"  # Django's database sessions, read faster
SESSION_COOKIE_HTTPONLY = True

# Two-factor sign-in (django-otp, TOTP): optional for every office account; with
# OFFICE_REQUIRE_2FA on, an office account without an authenticator is sent to set one up.
OFFICE_REQUIRE_2FA = env_bool("OFFICE_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = SITE_NAME
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes in a row, wait 2**(n-1) seconds
LOGIN_CODE_SECONDS = 300  # the code is asked for this long after the password
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "sanhao" / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# Uploads: a roster file is small; refuse anything large.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ROSTER_MAX_BYTES = env_int("ROSTER_MAX_KB", 2048) * 1024
# An Excel import of a larger file runs as a background job (sanhao.jobs) instead of
# inside the request; a smaller one is imported at once and its page shows the result.
IMPORT_JOB_BYTES = env_int("IMPORT_JOB_KB", 256) * 1024

# Attachments of process records: stored through the default storage under MEDIA_ROOT,
# which is never served by a public URL (no MEDIA_URL): downloads pass the page's access check.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
RECORD_FILE_MAX_BYTES = env_int("RECORD_FILE_MAX_MB", 10) * 1024 * 1024

# Backups (manage.py backup, nightly): one folder per backup under BACKUP_DIR, named by its
# time; after a successful backup only the newest BACKUP_KEEP of them are kept.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
if BACKUP_KEEP < 1:
    raise RuntimeError("BACKUP_KEEP must be at least 1")

# Reminders (manage.py send_reminders, daily): records missing from this many days before a
# month ends, remedies due within this many days. E-mail goes out only when EMAIL_HOST is set;
# SITE_URL (e.g. https://sanhao.example.gov.cn) makes the links in e-mails absolute.
REMINDER_RECORD_DAYS = env_int("REMINDER_RECORD_DAYS", 5)
REMINDER_REMEDY_DAYS = env_int("REMINDER_REMEDY_DAYS", 3)
SITE_URL = env_str("SITE_URL", "")
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sanhao@localhost")

# Security headers. HTTPS settings are on by default when DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer's health probe may come over plain HTTP, straight to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)

# Content-Security-Policy: everything from this origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Logs (docs/operations.md, "Logs and monitoring"): one JSON object per line on stderr
# unless LOG_FORMAT=text (the default with DEBUG on). Django's own request loggers log the
# URL's route pattern, never the raw path or a query string (sanhao.lib.logs.RedactPaths);
# sanhao.request logs one line per request (sanhao.ops.middleware) whatever LOG_LEVEL says.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise RuntimeError("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_paths": {"()": "sanhao.lib.logs.RedactPaths"}},
    "formatters": {
        "json": {"()": "sanhao.lib.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's defaults add handlers of their own (the development server's, which
        # writes the raw request line, and mail_admins): everything goes through the
        # console handler above instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        **{
            name: {"level": "INFO", "filters": ["redact_paths"], "propagate": True}
            for name in ("django.request", "django.security.csrf", "django.server")
        },
        "sanhao.request": {"level": "INFO", "propagate": True},
    },
}
