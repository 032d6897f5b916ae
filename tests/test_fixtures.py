"""The report's fixtures load cleanly, reload idempotently and survive a dump round trip."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from reforms import pinyin
from reforms.models import NAMED_MODELS, School

from .conftest import FIXTURE_FILES, dump_reforms, empty_database

pytestmark = pytest.mark.django_db


def test_reloading_the_fixtures_changes_nothing(report_data):
    first = dump_reforms()

    call_command("loaddata", *FIXTURE_FILES, verbosity=0)

    assert dump_reforms() == first


@pytest.mark.long
def test_a_natural_key_dump_loads_into_an_empty_database_unchanged(report_data, tmp_path):
    dumped = dump_reforms()
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")
    empty_database()
    assert dump_reforms() == []

    call_command("loaddata", str(path), verbosity=0)

    assert dump_reforms() == dumped


@pytest.mark.parametrize("model", NAMED_MODELS, ids=lambda m: m.__name__)
def test_derived_fields_are_right_after_loaddata(report_data, model):
    records = list(model.objects.all())
    assert records, f"no {model.__name__} in the fixtures"
    for record in records:
        assert record.sort_key == pinyin.sort_key(record.name)
        assert record.pinyin == pinyin.full_pinyin(record.name)
        assert record.initials == pinyin.initials(record.name)
        assert record.slug.startswith(pinyin.pinyin_slug(record.name))
    slugs = [record.slug for record in records]
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize("model", NAMED_MODELS, ids=lambda m: m.__name__)
def test_every_record_natural_key_round_trips(report_data, model):
    for record in model.objects.all():
        assert model.objects.get_by_natural_key(*record.natural_key()) == record


def test_writing_the_fixture_back_reproduces_it_exactly(report_data, tmp_path):
    """So an admin correction written back with dumpreports shows as a one-line diff."""
    [fixture] = FIXTURE_FILES
    out = tmp_path / "written-back.json"

    call_command("dumpreports", output=str(out))

    assert out.read_text(encoding="utf-8") == Path(fixture).read_text(encoding="utf-8")


def test_writing_back_keeps_an_edited_slug_and_leaves_out_synthetic_records(report_data):
    school = School.objects.get(name="珊瑚中学")
    school.slug = "shanhu-zhongxue"
    school.save()
    School.objects.create(name="合成小学", stage="primary", is_synthetic=True)

    written = json.loads(io_dump())

    fields = next(r["fields"] for r in written if r["fields"].get("name") == "珊瑚中学")
    assert fields["slug"] == "shanhu-zhongxue"
    assert not any(r["fields"].get("name") == "合成小学" for r in written)
    assert not any("sort_key" in r["fields"] for r in written)


def io_dump():
    out = io.StringIO()
    call_command("dumpreports", stdout=out)
    return out.getvalue()
