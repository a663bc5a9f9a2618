"""Settings for SkillBridge, driven only by environment variables (see docs/deployment.md)."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("SKILLBRIDGE_DEBUG")
# Demo mode: demo accounts keep their printed passwords (no forced change on first login).
DEMO_MODE = env_bool("SKILLBRIDGE_DEMO")
DATA_DIR = Path(os.environ.get("SKILLBRIDGE_DATA_DIR", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    if key := os.environ.get("SKILLBRIDGE_SECRET_KEY"):
        return key
    if path := os.environ.get("SKILLBRIDGE_SECRET_KEY_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    if DEBUG or DEMO_MODE:
        # A local, per-installation key so a demo needs no configuration.
        key_file = DATA_DIR / "secret_key"
        if not key_file.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            key_file.chmod(0o600)
        return key_file.read_text(encoding="utf-8").strip()
    raise ImproperlyConfigured("设置 SKILLBRIDGE_SECRET_KEY 或 SKILLBRIDGE_SECRET_KEY_FILE 后再启动。")


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("SKILLBRIDGE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SKILLBRIDGE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # its bundled Swagger UI assets, so /api/v1/docs needs no CDN
    "django_tasks",
    "django_tasks_db",
    "skillbridge.accounts",
    "skillbridge.audit",
    "skillbridge.policy",
    "skillbridge.approvals",
    "skillbridge.catalog",
    "skillbridge.registry",
    "skillbridge.imports",
    "skillbridge.planning",
    "skillbridge.training",
    "skillbridge.certificates",
    "skillbridge.assessment",
    "skillbridge.subsidies",
    "skillbridge.funds",
    "skillbridge.reporting",
    "skillbridge.supervision",
    "skillbridge.employment",
    "skillbridge.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "skillbridge.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "skillbridge.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "skillbridge.web.middleware.ServiceErrorMiddleware",
]

ROOT_URLCONF = "skillbridge.urls"
WSGI_APPLICATION = "skillbridge.wsgi.application"
ASGI_APPLICATION = "skillbridge.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "skillbridge.web.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'skillbridge.sqlite3'}"),
        conn_max_age=env_int("SKILLBRIDGE_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers, so the audit hash chain cannot fork on SQLite.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATA_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "skillbridge.accounts.passwords.ComplexityValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session expires after this many minutes without a request.
SESSION_COOKIE_AGE = env_int("SKILLBRIDGE_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SKILLBRIDGE_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Lockout (django-axes): after this many failures the account is locked for the cool-off period.
AXES_FAILURE_LIMIT = env_int("SKILLBRIDGE_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("SKILLBRIDGE_LOCKOUT_MINUTES", 30) / 60
# Lock the account, not the address: a whole prison office usually sits behind one intranet IP.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("SKILLBRIDGE_STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Without collectstatic (demo, development) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG or DEMO_MODE or env_bool("SKILLBRIDGE_STATIC_FROM_APPS")
if WHITENOISE_USE_FINDERS:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

MEDIA_ROOT = DATA_DIR / "media"  # uploaded files (imports); never served publicly
MEDIA_URL = "/media/"

# Long jobs (imports) run on the database-backed queue: `skillbridge db_worker` executes them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Upload guards for xlsx imports.
IMPORT_MAX_UPLOAD_MB = env_int("SKILLBRIDGE_IMPORT_MAX_UPLOAD_MB", 20)
IMPORT_MAX_UNZIPPED_MB = env_int("SKILLBRIDGE_IMPORT_MAX_UNZIPPED_MB", 200)

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SKILLBRIDGE_LOG_LEVEL", "WARNING")},
}
