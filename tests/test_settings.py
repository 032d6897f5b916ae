import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from nanan_portal.settings import cache_from_url

from .conftest import ROOT


@pytest.mark.parametrize(
    "url, backend, location",
    [
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache", "nanan-portal"),
        ("dummy://", "django.core.cache.backends.dummy.DummyCache", None),
        (
            "redis://cache.internal:6379/1",
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache.internal:6379/1",
        ),
        ("file:///var/tmp/portal", "django.core.cache.backends.filebased.FileBasedCache", None),
    ],
)
def test_cache_url_picks_the_backend(url, backend, location):
    config = cache_from_url(url)
    assert config["BACKEND"] == backend
    if location:
        assert config["LOCATION"] == location


def test_cache_url_timeout_and_unknown_scheme():
    assert cache_from_url("redis://h:6379/0?timeout=60")["TIMEOUT"] == 60
    with pytest.raises(ImproperlyConfigured, match="memcache"):
        cache_from_url("memcache://h")


def settings_in(env):
    """Import the settings in a fresh interpreter under ``env`` and report a few values."""
    code = (
        "import nanan_portal.settings as s;"
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.LANGUAGE_CODE, s.TIME_ZONE,"
        " s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_local_defaults_are_safe():
    result = settings_in({"CACHE_URL": "locmem://"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1)[0] == "False"
    assert "'127.0.0.1'" in result.stdout and "'localhost'" in result.stdout
    assert "zh-hans Asia/Shanghai django.db.backends.sqlite3" in result.stdout


def test_https_without_a_secret_key_refuses_to_start():
    result = settings_in({"DJANGO_HTTPS": "true"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "hosts", ["portal.example.cn", "127.0.0.1,portal.example.cn", "*", ".example.cn", "10.0.0.7"]
)
def test_the_development_key_is_refused_for_any_host_but_this_machine(hosts):
    result = settings_in({"DJANGO_ALLOWED_HOSTS": hosts})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize("hosts", ["127.0.0.1,localhost,[::1]", "testserver", ""])
def test_the_development_key_serves_this_machine(hosts):
    result = settings_in({"DJANGO_ALLOWED_HOSTS": hosts})
    assert result.returncode == 0, result.stderr


def test_a_real_key_serves_any_host():
    result = settings_in(
        {"DJANGO_ALLOWED_HOSTS": "portal.example.cn", "DJANGO_SECRET_KEY": "k" * 60}
    )
    assert result.returncode == 0, result.stderr
    assert "'portal.example.cn'" in result.stdout


def test_https_turns_on_the_https_only_settings():
    code = (
        "import nanan_portal.settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS > 0)"
    )
    env = {"DJANGO_HTTPS": "true", "DJANGO_SECRET_KEY": "k" * 60}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [b"True"] * 4


def test_plain_http_locally():
    import nanan_portal.settings as local

    assert not getattr(local, "SECURE_SSL_REDIRECT", False)
    assert not getattr(local, "SESSION_COOKIE_SECURE", False)


def test_a_mistyped_boolean_is_an_error_not_a_guess():
    result = settings_in({"DJANGO_DEBUG": "ture"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr
