"""Static files as the deployed portal serves them: hashed names, compressed, kept a year."""

import json

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.mark.long
def test_hashed_files_are_served_brotli_or_gzip_and_cached_for_a_year(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]["css/site.css"]
    url = f"{settings.STATIC_URL}{hashed}"
    client = Client()  # a new client loads whitenoise afresh, over the files just collected

    brotli = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    gzip = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    plain = client.get(url)

    assert brotli["Content-Encoding"] == "br"
    assert gzip["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain
    assert int(brotli["Content-Length"]) < int(plain["Content-Length"])
    assert "max-age=315360000" in brotli["Cache-Control"]
    assert "immutable" in brotli["Cache-Control"]
