"""The report's fixtures load cleanly, reload idempotently and survive a dump round trip."""

import json

import pytest
from django.core.management import call_command

from reforms import pinyin
from reforms.models import NAMED_MODELS

from .conftest import FIXTURE_FILES, dump_reforms

pytestmark = pytest.mark.django_db


def test_there_is_a_fixture_to_load():
    assert FIXTURE_FILES


def test_reloading_the_fixtures_changes_nothing(report_data):
    first = dump_reforms()

    call_command("loaddata", *FIXTURE_FILES, verbosity=0)

    assert dump_reforms() == first


def test_a_natural_key_dump_loads_into_an_empty_database_unchanged(report_data, tmp_path):
    dumped = dump_reforms()
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")
    call_command("flush", interactive=False, verbosity=0)
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
