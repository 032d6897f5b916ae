"""Settings for the 南岸教育改革门户 portal.

One module for every environment: each deploy-time value is read from the environment, and
every default is safe for a local machine (plain HTTP, SQLite file, local-memory cache).
"""

import datetime
import os
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_list(name, default):
    raw = env_str(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or list(default)


CACHE_BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "db": "django.core.cache.backends.db.DatabaseCache",
}


def cache_from_url(url):
    """Turn a CACHE_URL such as ``redis://host:6379/0`` or ``dummy://`` into a CACHES entry.

    Query parameters become OPTIONS, except ``timeout`` and ``key_prefix``, which Django reads
    at the top level of the entry.
    """
    parts = urlsplit(url)
    backend = CACHE_BACKENDS.get(parts.scheme)
    if backend is None:
        known = ", ".join(f"{scheme}://" for scheme in CACHE_BACKENDS)
        raise ImproperlyConfigured(f"CACHE_URL scheme {parts.scheme!r} is not one of {known}")
    config = {"BACKEND": backend}
    params = dict(parse_qsl(parts.query))
    if "timeout" in params:
        config["TIMEOUT"] = int(params.pop("timeout"))
    if "key_prefix" in params:
        config["KEY_PREFIX"] = params.pop("key_prefix")
    if parts.scheme.startswith("redis"):
        config["LOCATION"] = parts._replace(query="").geturl()
    elif parts.scheme == "file":
        config["LOCATION"] = parts.path
    elif parts.scheme in {"locmem", "db"}:
        config["LOCATION"] = parts.netloc or parts.path.strip("/") or "nanan-portal"
    if params:
        config["OPTIONS"] = params
    return config


DEBUG = env_bool("DJANGO_DEBUG", default=False)
HTTPS = env_bool("DJANGO_HTTPS", default=False)
# Behind a proxy, the client's address and scheme come from the proxy's headers; otherwise
# those headers are the client's own words and are ignored.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# Names only this machine answers to; "testserver" is the one Django's test client uses.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}

# A fixed development key keeps local sessions valid across restarts. It is in the repository,
# so anyone could sign sessions with it: it is refused whenever the site is served over HTTPS,
# which is how production runs, or answers to any name other than this machine's.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-never-used-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    public_hosts = sorted(set(ALLOWED_HOSTS) - LOOPBACK_HOSTS)
    if HTTPS or public_hosts:
        reason = "DJANGO_HTTPS is on" if HTTPS else f"DJANGO_ALLOWED_HOSTS names {public_hosts}"
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY must be set when {reason}; generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "csp",
    "simple_history",
    "reforms.security.AxesConfig",
    "reforms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Directly under the headers every response carries, where a static file is served, so
    # that a cached page costs what a static file does: made by the stack below once, it is
    # kept with the headers that stack gave it (the language, its length, X-Frame-Options)
    # and served without passing it again. A page is the same for every reader of its address
    # (the language too comes from the address alone); it is keyed as ReadQueryOnlyMiddleware
    # below will make it, from the parameters its view reads alone.
    "reforms.middleware.DataVersionCacheMiddleware",
    # Static files skip the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "reforms.middleware.ReadOnlyPublicSiteMiddleware",
    "reforms.middleware.NoNulQueryMiddleware",
    # A page is made from the parameters its view reads alone.
    "reforms.middleware.ReadQueryOnlyMiddleware",
    # Before Common, as i18n_patterns needs. The language comes from the URL prefix alone
    # (none for Chinese), never from a session, a cookie or Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records which staff member made each change kept in the history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nanan_portal.urls"
# Where the admin lives; moving it off the well-known path cuts down on password guessing.
ADMIN_URL = env_str("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
# Part of every cached page's key; left empty, it is a hash of the templates and static files.
BUILD_ID = env_str("DJANGO_BUILD_ID", "")

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
                "reforms.context_processors.navigation",
                "reforms.context_processors.languages",
            ],
        },
    },
]

WSGI_APPLICATION = "nanan_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env_str("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database host must give a 503 within seconds, not hold a worker until
    # gunicorn kills it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

CACHES = {"default": cache_from_url(env_str("CACHE_URL", "locmem://"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Five wrong passwords for one account from one address lock that account out at that address
# for a while, whatever cookies the client sends: attempts are counted in the database. Not the
# account everywhere, or anyone could keep an editor out by guessing wrong on purpose; not the
# address, or one person could lock out everyone sharing it. A success clears the count of that
# account at that address only, so signing in to one's own account does not reset guesses at
# another's.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(env_str("DJANGO_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
AXES_CLIENT_IP_CALLABLE = "reforms.security.client_ip"
# Failures and lock-outs are still logged; only the start-up banner on every command is not.
AXES_VERBOSE = False
# The log names the account and the address (never the password): a lock-out nobody can
# attribute is of little use to whoever reads the log.
AXES_SENSITIVE_PARAMETERS = []

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Each language names itself, so a reader finds theirs whatever language the page is in.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# The messages are written in Chinese; locale/ holds their English translations.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Django 5.2's zh_Hans input formats contain directives strptime rejects; ours replace them.
FORMAT_MODULE_PATH = ["nanan_portal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

if HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env_str("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
    # Trust X-Forwarded-Proto only when a TLS proxy in front of us is known to set it.
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_HSTS_PRELOAD:
        # Declining the preload list is a choice, not an oversight.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Django's defaults, stated because the portal depends on them: pages are never framed, files
# are never sniffed, other sites are not told which page a reader came from, and a window this
# site opens cannot be reached by the page that opened it.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Everything comes from this site: no inline script or style, no third-party host, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # stdout, where gunicorn's access log goes too: one stream for the host to collect.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
