import datetime

import pytest
from django import forms

from reforms.forms import PartialDateForm
from reforms.models import (
    NAMED_MODELS,
    DatePrecision,
    Initiative,
    Milestone,
    Organization,
    Report,
    School,
    SearchGram,
    Section,
)
from reforms.pinyin import initials, pinyin_slug, sort_key

pytestmark = pytest.mark.django_db


def test_heteronyms_read_as_in_place_names():
    assert sort_key("重庆十一中学").startswith("chong qing")
    assert sort_key("长生桥小学").startswith("chang sheng qiao")


def test_pinyin_order_is_not_code_point_order():
    names = ["天台岗雅居乐小学", "珊瑚实验小学", "龙门浩职业中学", "南坪实验幼儿园"]
    for name in names:
        School.objects.create(name=name, stage="primary")

    ordered = list(School.objects.in_pinyin_order().values_list("name", flat=True))

    assert ordered == ["龙门浩职业中学", "南坪实验幼儿园", "珊瑚实验小学", "天台岗雅居乐小学"]
    assert sorted(names) != ordered


def test_punctuation_does_not_decide_the_order():
    assert sort_key("《友善班级》班主任心理特色班会课程").startswith("you shan")
    assert initials("天台岗雅居乐小学") == "ttgyjlxx"


def test_slug_is_readable_pinyin_and_stays_when_the_name_changes():
    school = School.objects.create(name="珊瑚实验小学", stage="primary")
    assert school.slug == "shan-hu-shi-yan-xiao-xue"

    school.name = "珊瑚实验小学校"
    school.save()

    school.refresh_from_db()
    assert school.slug == "shan-hu-shi-yan-xiao-xue"
    assert school.sort_key == "shan hu shi yan xiao xue xiao"


def test_slugs_of_same_sounding_names_do_not_clash():
    first = Organization.objects.create(name="南岸区教委", kind="government")
    homophone = Organization.objects.create(name="南安区教委", kind="government")

    assert first.slug == "nan-an-qu-jiao-wei"
    assert homophone.slug == "nan-an-qu-jiao-wei-2"


def test_long_names_give_slugs_cut_at_a_syllable():
    slug = pinyin_slug("关于“基于教学改革、融合信息技术的新型教与学模式”实验区三年行动计划" * 2)
    assert len(slug) <= 80
    assert not slug.endswith("-")


def test_natural_keys_round_trip():
    report = Report.objects.create(name="某报道")
    section = Section.objects.create(report=report, key="s1", kind="section")
    school = School.objects.create(name="珊瑚中学", stage="secondary")

    for record in (report, section, school):
        manager = type(record)._default_manager
        assert manager.get_by_natural_key(*record.natural_key()) == record
    assert section.natural_key() == ("某报道", "s1")


@pytest.mark.parametrize(
    "typed, stored, precision, shown",
    [
        ({"date_year": "2014"}, datetime.date(2014, 1, 1), DatePrecision.YEAR, "2014年"),
        (
            {"date_year": "2021", "date_month": "3"},
            datetime.date(2021, 3, 1),
            DatePrecision.MONTH,
            "2021年3月",
        ),
        (
            {"date_year": "2021", "date_month": "7", "date_day": "2"},
            datetime.date(2021, 7, 2),
            DatePrecision.DAY,
            "2021年7月2日",
        ),
    ],
)
def test_admin_date_boxes_set_the_precision(typed, stored, precision, shown):
    form_class = forms.modelform_factory(
        Milestone, form=PartialDateForm, fields=["name", "date_inferred", "date_inference"]
    )
    form = form_class(data={"name": "某事", **typed})

    assert form.is_valid(), form.errors
    milestone = form.save()
    assert (milestone.date, milestone.date_precision, milestone.date_display) == (
        stored,
        precision,
        shown,
    )


@pytest.mark.parametrize(
    "typed, field",
    [
        ({"date_month": "3"}, "date_year"),
        ({"date_year": "2021", "date_day": "3"}, "date_month"),
        ({"date_year": "2021", "date_month": "2", "date_day": "30"}, "date_day"),
        ({"date_year": "2022", "date_inferred": "on"}, "date_inference"),
        ({}, "date_year"),
    ],
)
def test_admin_date_boxes_refuse_what_makes_no_sense(typed, field):
    form_class = forms.modelform_factory(
        Milestone, form=PartialDateForm, fields=["name", "date_inferred", "date_inference"]
    )
    form = form_class(data={"name": "某事", **typed})

    assert not form.is_valid()
    assert field in form.errors


def test_an_initiative_cannot_be_its_own_ancestor():
    parent = Initiative.objects.create(name="上级", kind="programme")
    child = Initiative.objects.create(name="下级", kind="action", parent=parent)
    parent.parent = child

    with pytest.raises(Exception, match="上级举措"):
        parent.full_clean()


def test_a_loop_already_in_the_data_does_not_hang_validation():
    first = Initiative.objects.create(name="甲", kind="action")
    second = Initiative.objects.create(name="乙", kind="action", parent=first)
    Initiative.objects.filter(pk=first.pk).update(parent=second)
    newcomer = Initiative(name="丙", kind="action", parent=Initiative.objects.get(pk=first.pk))

    with pytest.raises(Exception, match="上级举措"):
        newcomer.full_clean()


def test_chinese_dates_are_accepted_by_date_inputs():
    field = forms.DateField()
    assert field.clean("2021年3月2日") == datetime.date(2021, 3, 2)
    assert field.clean("2021-03-02") == datetime.date(2021, 3, 2)


def test_the_migration_naming_kinds_reads_the_numbers_the_index_migration_gave():
    from importlib import import_module

    naming = import_module("reforms.migrations.0015_searchgram_kind_name")
    building = import_module("reforms.migrations.0006_build_search_index")
    assert naming.NUMBERED == tuple(name.lower() for name in building.KINDS)
    assert set(naming.NUMBERED) == {model._meta.model_name for model in NAMED_MODELS}


def test_the_migration_naming_kinds_converts_stored_rows():
    from importlib import import_module

    from django.apps import apps

    naming = import_module("reforms.migrations.0015_searchgram_kind_name")
    SearchGram.objects.bulk_create(
        [
            SearchGram(gram="甲", kind="4", record_id=7),
            SearchGram(gram="乙", kind="10", record_id=7),
        ]
    )
    naming.to_names(apps, None)
    assert sorted(SearchGram.objects.values_list("gram", "kind")) == [
        ("乙", "milestone"),
        ("甲", "zone"),
    ]
    naming.to_numbers(apps, None)
    assert sorted(SearchGram.objects.values_list("gram", "kind")) == [("乙", "10"), ("甲", "4")]


def test_kinds_in_the_migration_placing_grams_are_those_of_the_index():
    from importlib import import_module

    placing = import_module("reforms.migrations.0011_searchgram_place")
    building = import_module("reforms.migrations.0006_build_search_index")
    assert tuple(placing.FIELDS) == building.KINDS


def test_migrations_import_no_live_code_of_the_project():
    # Importing live code, a migration would break on an old database once that code changed.
    import ast
    from pathlib import Path

    import reforms.migrations

    for path in Path(reforms.migrations.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.module == "_frozen_search", path.name
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module] if isinstance(node, ast.ImportFrom) else node.names
                for name in names:
                    module = name if isinstance(name, str) else name.name
                    assert not module.startswith("reforms"), path.name


def test_the_registry_holds_each_kind_of_named_record_once():
    from reforms.registry import COLLECTIONS

    assert sorted(c.model._meta.label for c in COLLECTIONS) == sorted(
        model._meta.label for model in NAMED_MODELS
    )
    assert len({c.slug for c in COLLECTIONS}) == len(COLLECTIONS)
