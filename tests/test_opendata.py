"""The dataset for reuse: a page that describes it, downloads that load back in, and each
record as JSON with a line to cite it by."""

import csv
import datetime
import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone

from reforms import versioning
from reforms.models import DataVersion, Milestone, Organization, Report
from reforms.registry import COLLECTIONS

from .conftest import dump_reforms, empty_database

pytestmark = pytest.mark.django_db


def json_ld(page):
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(block.group(1))


def test_the_data_page_describes_the_dataset(client, report_data):
    page = client.get("/data/").content.decode()

    for collection in COLLECTIONS:
        count = collection.model.objects.genuine().count()
        assert f"{collection.label}</a></th><td>{count}</td>" in page
    assert "creativecommons.org/licenses/by/4.0/" in page
    assert Report.objects.get().name in page
    assert "最后更新" in page and "整理方法" in page


def test_the_data_page_carries_schema_org_dataset_metadata(client, report_data):
    metadata = json_ld(client.get("/data/").content.decode())

    years = sorted(date.year for date in Milestone.objects.genuine().values_list("date", flat=True))
    assert metadata["@type"] == "Dataset"
    assert metadata["spatialCoverage"]["name"] == "重庆市南岸区"
    assert metadata["temporalCoverage"] == f"{years[0]}/{years[-1]}"
    assert metadata["license"].startswith("https://creativecommons.org/")
    assert metadata["dateModified"].endswith("+00:00")
    assert metadata["isBasedOn"][0]["headline"] == Report.objects.get().name
    # The report's year is known only to the year, and says so.
    assert metadata["isBasedOn"][0]["datePublished"] == "2022"
    formats = {item["encodingFormat"] for item in metadata["distribution"]}
    assert formats == {"application/json", "application/zip"}
    for item in metadata["distribution"]:
        assert client.get(item["contentUrl"].removeprefix("http://testserver")).status_code == 200


@pytest.mark.long
def test_the_json_download_loads_back_into_an_empty_database(
    client, report_data, tmp_path, django_capture_on_commit_callbacks
):
    before = dump_reforms()
    download = client.get("/data/nanan-education-reform.json")
    assert download["Content-Disposition"].startswith("attachment")
    path = tmp_path / "download.json"
    path.write_bytes(download.content)

    empty_database()
    assert dump_reforms() == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loaddata", str(path), verbosity=0)

    assert dump_reforms() == before


def test_the_csv_download_holds_every_field_of_every_record(client, report_data):
    archive = zipfile.ZipFile(
        io.BytesIO(client.get("/data/nanan-education-reform-csv.zip").content)
    )
    fixture = json.loads(client.get("/data/nanan-education-reform.json").content)

    assert sorted(archive.namelist()) == sorted(
        [*(f"{c.slug}.csv" for c in COLLECTIONS), "statements.csv", "figure-values.csv"]
    )
    for collection in COLLECTIONS:
        text = archive.read(f"{collection.slug}.csv").decode("utf-8")
        assert text.startswith("\ufeff")
        header, *rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        label = collection.model._meta.label_lower
        entries = {e["fields"]["name"]: e["fields"] for e in fixture if e["model"] == label}
        assert len(rows) == len(entries) == collection.model.objects.genuine().count()
        assert header[:2] == ["name", "url"]
        assert set(header) - {"url"} >= set(next(iter(entries.values())))
        for row in rows:
            cells = dict(zip(header, row, strict=True))
            fields = entries[cells["name"]]
            record = collection.model.objects.get(name=cells["name"])
            assert cells["url"] == f"http://testserver{record.get_absolute_url()}"
            assert cells["description"] == fields["description"]
            if "date" in fields:
                assert cells["date"] == (fields["date"] or "")
            if "sources" in fields:
                assert cells["sources"] == "; ".join(" / ".join(key) for key in fields["sources"])


def test_the_csv_download_is_the_same_in_either_language(client, report_data):
    chinese = zipfile.ZipFile(
        io.BytesIO(client.get("/data/nanan-education-reform-csv.zip").content)
    )
    english = zipfile.ZipFile(
        io.BytesIO(client.get("/en/data/nanan-education-reform-csv.zip").content)
    )
    for name in chinese.namelist():
        assert chinese.read(name) == english.read(name)


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.slug)
def test_every_record_comes_as_json_too(client, report_data, collection):
    record = collection.model.objects.genuine().first()
    url = record.get_absolute_url()

    page = client.get(url).content.decode()
    response = client.get(url, {"format": "json"})
    data = json.loads(response.content)

    assert '<link rel="alternate" type="application/json" href="?format=json"' in page
    assert response["Content-Type"] == "application/json"
    assert data["model"] == collection.model._meta.label_lower
    assert data["url"] == f"http://testserver{url}"
    assert data["fields"]["name"] == record.name
    assert "sort_key" not in data["fields"]


def test_every_record_has_a_line_to_cite_it_by(client, report_data):
    record = Milestone.objects.genuine().first()
    page = client.get(record.get_absolute_url()).content.decode()
    today = timezone.localdate().isoformat()

    line = re.search(r'<p class="cite__line">(.*?)</p>', page, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", line)
    assert text.startswith(f"南岸教育改革门户. {record.name}[EB/OL].")
    assert f"[{today}]" in text
    assert text.endswith(f"http://testserver{record.get_absolute_url()}.")


def test_english_pages_cite_in_the_english_way(client, report_data):
    ministry = Organization.objects.get(name="教育部")
    url = f"/en{ministry.get_absolute_url()}"
    page = client.get(url).content.decode()
    changed = timezone.localtime(versioning.current()[1])

    line = re.search(r'<p class="cite__line">(.*?)</p>', page, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", line)
    assert '<span lang="zh-Hans">教育部</span> (Ministry of Education).' in line
    assert f"Nan'an Education Reform Portal. Updated {changed:%Y-%m-%d}." in text
    assert text.endswith(f"http://testserver{url} (accessed {timezone.localdate():%Y-%m-%d}).")
    assert "[EB/OL]" not in text


def test_the_csv_zip_is_dated_when_the_data_changed_so_every_worker_makes_the_same_bytes(
    client, report_data, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    changed = datetime.datetime(2024, 1, 2, 3, 4, 6, tzinfo=datetime.UTC)
    DataVersion.objects.filter(pk=1).update(changed_at=changed)
    url = "/data/nanan-education-reform-csv.zip"

    first = client.get(url).content
    archive = zipfile.ZipFile(io.BytesIO(first))

    local = timezone.localtime(changed).timetuple()[:6]
    assert {entry.date_time for entry in archive.infolist()} == {local}
    assert client.get(url).content == first
