import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q

from reforms import pinyin
from reforms.management.commands import synthesize as command
from reforms.models import (
    NAMED_MODELS,
    Award,
    Figure,
    FigureValue,
    Initiative,
    Milestone,
    Organization,
    Publication,
    Report,
    School,
    SectionKind,
    Slogan,
    Zone,
)

pytestmark = pytest.mark.django_db

RECORD_MODELS = tuple(model for model in NAMED_MODELS if model is not Report)
# Zones and awards PROTECT the organisations that conferred them, so those go first.
DELETION_ORDER = (*reversed(RECORD_MODELS), Report)


def synthesize(records, seed=0):
    call_command("synthesize", records=records, seed=seed, verbosity=0)


def synthetic(model):
    return model.objects.filter(is_synthetic=True)


def synthetic_names():
    return {
        model.__name__: sorted(synthetic(model).values_list("name", flat=True))
        for model in RECORD_MODELS
    }


def delete_synthetic():
    for model in DELETION_ORDER:
        synthetic(model).delete()


def dry_run(records, seed, model, *fields):
    """What a run would write to ``model``, learnt inside a savepoint that is rolled back."""
    with transaction.atomic():
        synthesize(records, seed)
        rows = list(synthetic(model).order_by("pk").values_list(*fields))
        transaction.set_rollback(True)
    return rows


def test_adds_exactly_n_records_spread_across_every_model():
    synthesize(200)

    counts = {model: synthetic(model).count() for model in RECORD_MODELS}
    assert sum(counts.values()) == 200
    assert all(counts.values()), counts
    assert max(counts, key=counts.get) is School
    for model in RECORD_MODELS:
        assert not model.objects.filter(is_synthetic=False).exists()


def test_every_record_cites_a_section_of_the_synthetic_reports():
    synthesize(200, seed=3)

    reports = list(Report.objects.order_by("date"))
    assert [report.name for report in reports] == [
        "合成数据（种子3）",
        "合成数据（种子3）续篇一",
        "合成数据（种子3）续篇二",
    ]
    assert all(report.is_synthetic for report in reports)
    for report in reports:
        kinds = set(report.sections.values_list("kind", flat=True))
        assert kinds == {SectionKind.SECTION, SectionKind.SIDEBAR, SectionKind.CAPTION}
    for model in RECORD_MODELS:
        assert not model.objects.filter(sources__isnull=True).exists(), model
        assert set(model.objects.values_list("sources__report", flat=True)) <= {
            report.pk for report in reports
        }


def test_later_reports_speak_again_of_records_and_give_figures_new_values():
    synthesize(2000, seed=5)

    for model in RECORD_MODELS:
        for record in model.objects.prefetch_related("statements", "sources"):
            cited = {section.report_id for section in record.sources.all()}
            assert {s.report_id for s in record.statements.all()} == cited, record
    repeated = School.objects.annotate(reports=Count("statements")).filter(reports=2)
    assert repeated.count() > School.objects.count() // 10
    series = Figure.objects.filter(value_count=2)
    assert series.exists()
    for figure in series:
        values = sorted(figure.values.select_related("report"), key=FigureValue.time_key)
        assert len(values) == 2 and values[0].date < values[1].date
        assert (figure.value, figure.as_written, figure.date) == (
            values[1].value,
            values[1].as_written,
            values[1].date,
        )


def test_derived_fields_are_those_pre_save_would_set():
    synthesize(200)

    for model in RECORD_MODELS:
        rows = list(model.objects.values_list("name", "sort_key", "pinyin", "initials", "slug"))
        for name, sort_key, full_pinyin, initials, slug in rows:
            assert sort_key == pinyin.sort_key(name)
            assert full_pinyin == pinyin.full_pinyin(name)
            assert initials == pinyin.initials(name)
            assert re.fullmatch(re.escape(pinyin.pinyin_slug(name)) + r"(-\d+)?", slug), slug
        slugs = [row[-1] for row in rows]
        assert len(set(slugs)) == len(slugs)


def test_a_taken_slug_gets_the_next_free_suffix_as_the_signal_would_give():
    [(name, slug)] = dry_run(20, 4, School, "name", "slug")[:1]
    School.objects.create(name="占位学校甲", slug=slug, stage="other")
    School.objects.create(name="占位学校乙", slug=f"{slug}-2", stage="other")

    synthesize(20, seed=4)

    assert School.objects.get(name=name).slug == f"{slug}-3"


def test_every_record_passes_model_validation():
    synthesize(1000, seed=1)

    for model in RECORD_MODELS:
        for record in model.objects.all():
            record.full_clean()
    dated = (Zone, Initiative, Publication, Award, Milestone)
    inferred = sum(model.objects.filter(date_inferred=True).count() for model in dated)
    assert inferred > 0


def test_records_are_related_to_each_other():
    synthesize(200)

    assert Organization.objects.filter(parent__isnull=False).exists()
    assert Zone.objects.filter(partners__isnull=False).exists()
    for relation in ("schools", "zones", "partners", "parent"):
        assert Initiative.objects.filter(**{f"{relation}__isnull": False}).exists(), relation
    for relation in ("recipients", "conferring_body"):
        assert Award.objects.filter(**{f"{relation}__isnull": False}).exists(), relation
    for relation in ("initiatives", "organizations"):
        assert Publication.objects.filter(**{f"{relation}__isnull": False}).exists(), relation
    for relation in ("zones", "initiatives", "schools", "organizations"):
        assert Milestone.objects.filter(**{f"{relation}__isnull": False}).exists(), relation
    unlinked = Q(initiative=None, zone=None, school=None)
    assert Figure.objects.exclude(unlinked).exists()
    assert Slogan.objects.filter(initiative__isnull=False).exists()


def test_the_same_seed_gives_the_same_names():
    synthesize(200, seed=5)
    first = synthetic_names()
    delete_synthetic()

    synthesize(200, seed=5)
    assert synthetic_names() == first

    delete_synthetic()
    synthesize(200, seed=6)
    assert synthetic_names() != first


def test_running_again_adds_as_many_again():
    synthesize(200, seed=5)
    synthesize(200, seed=5)
    synthesize(200, seed=6)

    assert sum(synthetic(model).count() for model in RECORD_MODELS) == 600
    # Each seed's reports are made once and cited by every run of that seed.
    assert Report.objects.count() == 2 * len(command.REPORT_SUFFIXES)


def test_genuine_records_are_left_alone_even_when_a_name_is_wanted():
    [(wanted,)] = dry_run(200, 0, School, "name")[:1]
    school = School.objects.create(name=wanted, stage="primary")
    before = School.objects.filter(pk=school.pk).values().get()

    synthesize(200)
    synthesize(200)

    assert School.objects.filter(pk=school.pk).values().get() == before
    assert School.objects.filter(name=wanted).count() == 1
    for relation in ("sources", "initiatives", "awards", "milestones", "figures"):
        assert not getattr(school, relation).exists(), relation
    assert list(School.objects.genuine()) == [school]


def test_prints_one_summary_line():
    out = StringIO()
    call_command("synthesize", records=200, stdout=out)

    [line] = out.getvalue().splitlines()
    assert "200" in line
    assert "学校及机构 50" in line


def test_refuses_to_adopt_a_genuine_report_of_the_same_name():
    Report.objects.create(name="合成数据（种子0）")

    with pytest.raises(CommandError, match="真实报道"):
        synthesize(10)
    assert not School.objects.exists()


@pytest.mark.parametrize("records", [0, -3])
def test_rejects_fewer_than_one_record(records):
    with pytest.raises(CommandError, match="正整数"):
        synthesize(records)
    assert not Report.objects.exists()


@pytest.mark.parametrize("total", [1, 3, 8, 9, 10, 200, 100_001])
def test_allocation_adds_up_and_covers_every_model_when_it_can(total):
    counts = command.allocate(total)

    assert sum(counts.values()) == total
    if total >= len(RECORD_MODELS):
        assert all(counts.values())


@pytest.mark.parametrize(
    ("number", "numeral"),
    [(2, "二"), (10, "十"), (15, "十五"), (20, "二十"), (105, "一百零五"), (110, "一百一十")]
    + [(1001, "一千零一"), (10010, "一万零一十"), (100_000, "十万"), (120_305, "十二万零三百零五")],
)
def test_chinese_numerals(number, numeral):
    assert command.chinese_numeral(number) == numeral
