"""Many reports, one portal: a later report adds to what is known and never overwrites it.

The reports here are made up (测试甲报, 测试乙报, 测试丙报) and small, so each behaviour shows
plainly; the real report's round trip is in test_fixtures.py.
"""

import html
import io
import itertools
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from reforms import versioning
from reforms.loading import dump
from reforms.models import (
    Award,
    Figure,
    FigureValue,
    Milestone,
    Report,
    School,
    SearchGram,
    Statement,
)

from .conftest import ROOT, dump_reforms, empty_database
from .test_hardening import form_data
from .test_loaddata import write

pytestmark = pytest.mark.django_db

A, B, C = "测试甲报（虚构）", "测试乙报（虚构）", "测试丙报（虚构）"


def report(name, date=None, precision=""):
    fields = {"name": name, "date": date, "date_precision": precision}
    section = {"report": [name], "key": "s1", "order": 1, "kind": "section"}
    return [
        {"model": "reforms.report", "fields": fields},
        {"model": "reforms.section", "fields": section},
    ]


def cites(name):
    return [[name, "s1"]]


FIRST = [
    *report(A, "2022-01-01", "year"),
    {
        "model": "reforms.school",
        "fields": {
            "name": "虚构实验小学",
            "stage": "primary",
            "description": "甲报说它是一所小学。",
            "ambiguity": "",
            "aliases": "虚构实小",
            "sources": cites(A),
        },
    },
    {
        "model": "reforms.organization",
        "fields": {"name": "虚构教委", "kind": "government", "sources": cites(A)},
    },
    {
        "model": "reforms.award",
        "fields": {
            "name": "虚构示范校",
            "level": "district",
            "batch": "",
            "recipients": [["虚构实验小学"]],
            "sources": cites(A),
        },
    },
    {
        "model": "reforms.figure",
        "fields": {
            "name": "虚构项目学校数",
            "value": "26",
            "unit": "所",
            "qualifier": "",
            "as_written": "26所",
            "sources": cites(A),
        },
    },
]

# Repeats two of the first report's records, gives a new value of its figure, adds its own.
SECOND = [
    *report(B, "2023-09-01", "month"),
    {
        "model": "reforms.school",
        "fields": {
            "name": "虚构实验小学",
            "description": "乙报说它办学有特色。",
            "aliases": "虚构实验",
            "sources": cites(B),
        },
    },
    {
        "model": "reforms.award",
        "fields": {
            "name": "虚构示范校",
            "batch": "首批",
            "conferring_body": ["虚构教委"],
            "recipients": [["虚构新小学"]],
            "sources": cites(B),
        },
    },
    {
        "model": "reforms.figure",
        "fields": {
            "name": "虚构项目学校数",
            "value": "32",
            "unit": "所",
            "as_written": "32所",
            "date": "2023-06-01",
            "date_precision": "month",
            "sources": cites(B),
        },
    },
    {
        "model": "reforms.school",
        "fields": {"name": "虚构新小学", "stage": "primary", "sources": cites(B)},
    },
    {
        "model": "reforms.milestone",
        "fields": {
            "name": "虚构新小学挂牌",
            "date": "2023-05-01",
            "date_precision": "month",
            "schools": [["虚构新小学"]],
            "sources": cites(B),
        },
    },
]

# Stands on its own: defines a school of the second report again, with the same facts.
THIRD = [
    *report(C, "2024-03-01", "month"),
    {
        "model": "reforms.school",
        "fields": {
            "name": "虚构新小学",
            "stage": "primary",
            "description": "丙报也写到了它。",
            "sources": cites(C),
        },
    },
    {
        "model": "reforms.figure",
        "fields": {
            "name": "虚构项目学校数",
            "value": "35",
            "unit": "所",
            "qualifier": "超",
            "as_written": "超35所",
            "date": "2024-01-01",
            "date_precision": "year",
            "sources": cites(C),
        },
    },
]


def load(tmp_path, *contents):
    paths = [write(tmp_path, f"report-{n}.json", content) for n, content in enumerate(contents)]
    call_command("loaddata", *paths, verbosity=0)
    return paths


def everything():
    """Every record by natural key, with what each report says of it and its figure values."""
    said = sorted(
        (
            s.report.name,
            s.content_type.model,
            s.record.name,
            s.description,
            s.ambiguity,
            # Which fields the report gives, and which of them it fills; how it spells a
            # value (26 or 26.00) is the file's, not the record's.
            sorted((field, s.states(field)) for field in s.given),
            json.dumps(
                {
                    field: sorted(
                        type(s.record)._meta.get_field(field).related_model.objects.get(pk=pk).name
                        for pk in pks
                    )
                    for field, pks in s.links.items()
                },
                sort_keys=True,
                ensure_ascii=False,
            ),
        )
        for s in Statement.objects.select_related("report")
    )
    values = sorted(
        (v.figure.name, v.report.name if v.report else "", v.as_written, str(v.date))
        for v in FigureValue.objects.select_related("figure", "report")
    )
    records = sorted(
        json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
        for entry in dump_reforms()
    )
    return records, said, values


def test_a_repeat_by_another_report_adds_and_keeps_each_reports_words(tmp_path):
    load(tmp_path, FIRST, SECOND)

    school = School.objects.get(name="虚构实验小学")
    assert school.stage == "primary"
    assert school.description == "甲报说它是一所小学。"
    assert school.alias_list == ["虚构实小", "虚构实验"]
    assert {s.report.name for s in school.sources.all()} == {A, B}
    words = {s.report.name: s.description for s in school.statements.all()}
    assert words == {A: "甲报说它是一所小学。", B: "乙报说它办学有特色。"}
    award = Award.objects.get(name="虚构示范校")
    assert award.level == "district"
    assert award.batch == "首批"
    assert award.conferring_body.name == "虚构教委"
    assert {school.name for school in award.recipients.all()} == {"虚构实验小学", "虚构新小学"}


def test_a_figure_of_another_report_is_a_new_value_and_the_latest_is_shown(tmp_path):
    load(tmp_path, FIRST, SECOND)

    figure = Figure.objects.get(name="虚构项目学校数")
    assert (figure.as_written, figure.value_count, figure.date_iso) == ("32所", 2, "2023-06")
    series = sorted(figure.values.select_related("report"), key=FigureValue.time_key)
    assert [(v.report.name, v.as_written) for v in series] == [(A, "26所"), (B, "32所")]
    assert figure.sources.count() == 2


def test_the_same_report_again_corrects_itself_and_keeps_what_others_added(tmp_path):
    load(tmp_path, FIRST, SECOND)
    corrected = json.loads(json.dumps(FIRST))
    corrected[2]["fields"].update(description="甲报更正后的说法。", aliases="")
    corrected[4]["fields"]["recipients"] = []

    load(tmp_path, corrected)

    school = School.objects.get(name="虚构实验小学")
    assert school.description == "甲报更正后的说法。"
    assert school.alias_list == ["虚构实验"]
    assert {s.report.name for s in school.sources.all()} == {A, B}
    award = Award.objects.get(name="虚构示范校")
    assert [school.name for school in award.recipients.all()] == ["虚构新小学"]
    assert award.batch == "首批"
    assert Figure.objects.get().value_count == 2


def test_a_stated_fact_given_differently_is_refused_naming_both_reports(tmp_path):
    load(tmp_path, FIRST)
    before = everything()
    contradicting = [
        *report(C),
        {
            "model": "reforms.school",
            "fields": {"name": "虚构实验小学", "stage": "secondary", "sources": cites(C)},
        },
    ]

    with pytest.raises(CommandError) as refused:
        load(tmp_path, contradicting)

    message = str(refused.value)
    assert "\n" not in message
    for fragment in ("report-0.json", "第3条记录", "虚构实验小学", "stage", "secondary"):
        assert fragment in message
    for fragment in ("primary", A, C):
        assert fragment in message
    # Choices are named as the admin names them, beside the file's codes.
    assert "中学（secondary）" in message and "小学（primary）" in message
    assert everything() == before


@pytest.mark.parametrize(
    "repeat, expected",
    [
        (
            {"name": "虚构项目学校数", "value": "30", "as_written": "30", "sources": cites(C)},
            ["unit", "单位"],
        ),
        (
            {
                "name": "虚构项目学校数",
                "value": "0.4",
                "unit": "万所",
                "as_written": "0.4万所",
                "sources": cites(C),
            },
            ["unit", "万所", "“所”", A, C],
        ),
        (
            {"name": "虚构实验小学", "sources": [["不存在的报道", "s1"]]},
            ["sources", "不存在的报道"],
        ),
    ],
    ids=[
        "a figure value without a unit",
        "a figure value in another unit",
        "a repeat citing an unknown report",
    ],
)
def test_bad_repeats_are_refused_and_change_nothing(tmp_path, repeat, expected):
    load(tmp_path, FIRST)
    before = everything()
    label = "reforms.figure" if "value" in repeat else "reforms.school"

    with pytest.raises(CommandError) as refused:
        load(tmp_path, [*report(C), {"model": label, "fields": repeat}])

    for fragment in ["report-0.json", *expected]:
        assert fragment in str(refused.value)
    assert everything() == before


def test_any_load_order_gives_the_same_records(tmp_path):
    reports = {"first": FIRST, "second": SECOND, "third": THIRD}
    outcomes = set()
    for order in itertools.permutations(reports):
        empty_database()
        if order.index("first") > order.index("second"):
            # The second report repeats the first's records, so it can only come with it.
            load(tmp_path, *(reports[name] for name in order))
        else:
            for name in order:
                load(tmp_path, reports[name])
        outcomes.add(repr(everything()))
    assert len(outcomes) == 1


def test_reports_write_back_one_file_each_and_load_again_as_the_same_records(tmp_path):
    load(tmp_path, FIRST, SECOND, THIRD)
    before = everything()
    out = tmp_path / "out"
    out.mkdir()

    call_command("dumpreports", dir=str(out), stdout=io.StringIO())

    files = {path.name: json.loads(path.read_text("utf-8")) for path in out.iterdir()}
    assert len(files) == 3
    second = files[dump.fixture_name(Report.objects.get(name=B))]
    school = next(e["fields"] for e in second if e["fields"].get("name") == "虚构实验小学")
    assert school == {
        "name": "虚构实验小学",
        "description": "乙报说它办学有特色。",
        "aliases": "虚构实验",
        "sources": cites(B),
    }
    empty_database()
    call_command("loaddata", *sorted(map(str, out.iterdir())), verbosity=0)
    assert everything() == before


def test_a_load_that_changes_nothing_writes_nothing(tmp_path):
    paths = load(tmp_path, FIRST, SECOND)
    version = versioning.current()
    versions = School.history.count() + Award.history.count() + Figure.history.count()
    index = list(SearchGram.objects.order_by("pk").values_list("pk", flat=True))

    call_command("loaddata", *paths, verbosity=0)

    assert versioning.current() == version
    assert School.history.count() + Award.history.count() + Figure.history.count() == versions
    assert list(SearchGram.objects.order_by("pk").values_list("pk", flat=True)) == index


def test_a_load_that_changes_one_record_writes_one_version_and_reindexes_it_alone(
    tmp_path, django_capture_on_commit_callbacks
):
    # Each load as its own committed transaction, as on the command line.
    with django_capture_on_commit_callbacks(execute=True):
        load(tmp_path, FIRST, SECOND)
    version, _ = versioning.current()
    school = School.objects.get(name="虚构实验小学")
    others = set(SearchGram.objects.exclude(record_id=school.pk).values_list("pk", flat=True))
    versions = School.history.count()
    changed = json.loads(json.dumps(SECOND))
    changed[2]["fields"]["description"] = "乙报改过的说法。"

    with django_capture_on_commit_callbacks(execute=True):
        load(tmp_path, changed)

    assert versioning.current()[0] == version + 1
    assert School.history.count() == versions + 1
    assert School.history.latest().name == "虚构实验小学"
    assert others <= set(SearchGram.objects.values_list("pk", flat=True))


def test_loading_a_report_and_removing_it_gives_back_the_records_there_were(tmp_path):
    load(tmp_path, FIRST)
    before = everything()
    load(tmp_path, SECOND)

    call_command("removereport", B, noinput=True, stdout=io.StringIO())

    assert everything() == before
    assert not Milestone.objects.exists()
    assert Figure.objects.get().as_written == "26所"


def test_a_dry_run_lists_what_would_go_and_changes_nothing(tmp_path):
    load(tmp_path, FIRST, SECOND)
    before = everything()
    out = io.StringIO()

    call_command("removereport", B, dry_run=True, stdout=out)

    listed = out.getvalue()
    assert "虚构新小学挂牌" in listed and "删除" in listed
    assert "保留学校及机构：虚构实验小学" in listed
    assert "32所" in listed
    assert everything() == before


def test_removing_an_unknown_report_names_the_known_ones(tmp_path):
    load(tmp_path, FIRST)

    with pytest.raises(CommandError) as refused:
        call_command("removereport", "没有这篇", noinput=True)

    assert A in str(refused.value)


def test_a_record_an_editor_linked_from_another_reports_record_stops_the_removal(tmp_path):
    load(tmp_path, FIRST, SECOND)
    # An editor links the second report's new school from the first report's award... no:
    # the first report's school gains, in the admin, a milestone only the second report has.
    milestone = Milestone.objects.get(name="虚构新小学挂牌")
    award = Award.objects.get(name="虚构示范校")
    award.recipients.add(School.objects.get(name="虚构实验小学"))
    figure = Figure.objects.get()
    figure.school = School.objects.get(name="虚构新小学")
    figure.save()
    before = everything()

    with pytest.raises(CommandError) as refused:
        call_command("removereport", B, noinput=True, stdout=io.StringIO())

    message = str(refused.value)
    assert "虚构新小学" in message and "虚构项目学校数" in message and "--keep-linked" in message
    assert everything() == before

    call_command("removereport", B, noinput=True, keep_linked=True, stdout=io.StringIO())
    assert School.objects.filter(name="虚构新小学").exists()
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert not Report.objects.filter(name=B).exists()


def test_loadreports_reloading_a_changed_file_keeps_what_other_reports_added(tmp_path):
    first = write(tmp_path, "first.json", FIRST)
    second = write(tmp_path, "second.json", SECOND)
    call_command("loadreports", first, second, verbosity=0)
    changed = json.loads(json.dumps(FIRST))
    changed[2]["fields"]["description"] = "甲报新版的说法。"
    write(tmp_path, "first.json", changed)

    call_command("loadreports", first, second, verbosity=0)

    school = School.objects.get(name="虚构实验小学")
    assert school.description == "甲报新版的说法。"
    assert {s.report.name for s in school.sources.all()} == {A, B}
    assert Figure.objects.get().value_count == 2


def test_removereport_on_the_command_line_fails_in_one_line(cli_environment):
    env = cli_environment
    run = [sys.executable, "manage.py"]

    result = subprocess.run(
        [*run, "removereport", "没有这篇", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_admin_removes_a_report_after_showing_the_same_list(tmp_path, staff_client):
    load(tmp_path, FIRST)
    before = everything()
    load(tmp_path, SECOND)
    second = Report.objects.get(name=B)
    url = reverse("admin:reforms_report_delete", args=[second.pk])
    out = io.StringIO()
    call_command("removereport", B, dry_run=True, stdout=out)

    page = staff_client.get(url).content.decode()
    for line in out.getvalue().splitlines()[:-1]:
        assert html.escape(line) in page
    staff_client.post(url)

    assert everything() == before


def test_the_admin_shows_each_reports_words_and_keeps_the_first_in_step(tmp_path, staff_client):
    load(tmp_path, FIRST, SECOND)
    school = School.objects.get(name="虚构实验小学")
    url = reverse("admin:reforms_school_change", args=[school.pk])

    page = staff_client.get(url).content.decode()
    assert "乙报说它办学有特色。" in page and "甲报说它是一所小学。" in page

    data = form_data(staff_client.get(url))
    data["description"] = "编辑改写的甲报说法。"
    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    first = school.statements.get(report__name=A)
    assert first.description == "编辑改写的甲报说法。"
    assert school.statements.get(report__name=B).description == "乙报说它办学有特色。"


def test_a_file_of_no_report_adds_links_to_what_reports_say_and_never_takes_theirs(tmp_path):
    load(tmp_path, FIRST, SECOND)
    editors = [
        {
            "model": "reforms.award",
            "fields": {"name": "虚构示范校", "recipients": [], "aliases": "示范校"},
        }
    ]

    load(tmp_path, editors)

    award = Award.objects.get(name="虚构示范校")
    assert {school.name for school in award.recipients.all()} == {"虚构实验小学", "虚构新小学"}
    assert award.alias_list == ["示范校"]


@pytest.mark.parametrize(
    "content, expected",
    [
        (
            [
                {
                    "model": "reforms.section",
                    "fields": {"report": [A], "key": "s1", "order": 1, "kind": "section"},
                }
            ],
            ["第1条记录", "章节只能和它的报道", A],
        ),
        (
            [
                *report(C),
                {
                    "model": "reforms.figure",
                    "fields": {
                        "name": "虚构项目学校数",
                        "value": "30",
                        "unit": "所",
                        "sources": cites(C),
                    },
                },
            ],
            ["第3条记录", "as_written", "原文写法"],
        ),
    ],
    ids=["a section outside its report's file", "a figure value without its wording"],
)
def test_parts_given_apart_from_what_they_belong_to_are_refused(tmp_path, content, expected):
    load(tmp_path, FIRST)
    before = everything()

    with pytest.raises(CommandError) as refused:
        load(tmp_path, content)

    for fragment in expected:
        assert fragment in str(refused.value)
    assert everything() == before


def test_writing_back_to_a_folder_that_does_not_exist_says_so(tmp_path):
    load(tmp_path, FIRST)

    with pytest.raises(CommandError, match="没有这个目录"):
        call_command("dumpreports", dir=str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="没有这个目录"):
        call_command("dumpreports", output=str(tmp_path / "missing" / "out.json"))


def test_a_record_kept_for_its_links_is_not_listed_as_going(tmp_path):
    load(tmp_path, FIRST, SECOND)
    # An editor ties the first report's figure to the school only the second report names.
    Figure.objects.update(school=School.objects.get(name="虚构新小学"))
    out = io.StringIO()

    call_command("removereport", B, dry_run=True, stdout=out)

    listed = out.getvalue()
    assert "删除学校及机构：虚构新小学" not in listed
    assert "虚构新小学" in listed and "不能随报道删除" in listed


def test_a_report_loaded_with_fields_the_model_lacks_can_still_be_removed(tmp_path):
    load(tmp_path, FIRST)
    before = everything()
    second = json.loads(json.dumps(SECOND))
    second[2]["fields"]["colour"] = "red"
    path = write(tmp_path, "second.json", second)
    call_command("loaddata", path, ignore=True, verbosity=0)

    call_command("removereport", B, noinput=True, stdout=io.StringIO())

    assert everything() == before


def test_a_field_a_report_no_longer_gives_is_taken_back_by_its_correction(tmp_path):
    load(tmp_path, FIRST)
    before = everything()
    load(tmp_path, SECOND)
    corrected = json.loads(json.dumps(SECOND))
    del corrected[3]["fields"]["batch"]
    del corrected[3]["fields"]["conferring_body"]

    load(tmp_path, corrected)

    award = Award.objects.get(name="虚构示范校")
    assert (award.batch, award.conferring_body) == ("", None)
    assert award.level == "district"
    call_command("removereport", B, noinput=True, stdout=io.StringIO())
    assert everything() == before
