"""A malformed fixture is refused with one clear message and changes no row."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reforms.models import FixtureLoad, Milestone, School, Section

from .conftest import ROOT, dump_reforms

pytestmark = pytest.mark.django_db

REPORT = "测试报道"
GOOD = [
    {"model": "reforms.report", "fields": {"name": REPORT}},
    {
        "model": "reforms.section",
        "fields": {"report": [REPORT], "key": "s1", "order": 1, "kind": "section"},
    },
    {
        "model": "reforms.school",
        "fields": {"name": "长生桥小学", "stage": "primary", "sources": [[REPORT, "s1"]]},
    },
    {
        "model": "reforms.milestone",
        "fields": {
            "name": "长生桥小学挂牌",
            "date": "2021-03-01",
            "date_precision": "month",
            "schools": [["长生桥小学"]],
            "sources": [[REPORT, "s1"]],
        },
    },
]


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(
            content if isinstance(content, str) else json.dumps(content, ensure_ascii=False),
            encoding="utf-8",
        )
    return str(path)


def with_fields(index, **changes):
    records = json.loads(json.dumps(GOOD))
    records[index]["fields"].update(changes)
    return records


@pytest.fixture
def loaded(tmp_path):
    call_command("loaddata", write(tmp_path, "good.json", GOOD), verbosity=0)
    return dump_reforms()


def test_good_fixture_loads_and_reloading_changes_nothing(tmp_path, loaded):
    school = School.objects.get(name="长生桥小学")
    assert school.sources.get().report.name == REPORT
    assert Milestone.objects.get().date_display == "2021年3月"

    call_command("loaddata", write(tmp_path, "again.json", GOOD), verbosity=0)

    assert dump_reforms() == loaded


MALFORMED = {
    "bad JSON": ('[{"model": "reforms.school",', ["bad.json", "第1行", "JSON"]),
    "not UTF-8": (
        '[{"model": "reforms.school", "fields": {"name": "南岸小学"}}]'.encode("gbk"),
        ["bad.json", "UTF-8"],
    ),
    "not a list": ({"model": "reforms.school"}, ["bad.json", "列表"]),
    "unknown model": (
        [{"model": "reforms.teacher", "fields": {"name": "张三"}}],
        ["bad.json", "第1条记录", "reforms.teacher"],
    ),
    "unknown field": (
        with_fields(2, colour="red"),
        ["bad.json", "第3条记录", "长生桥小学", "colour"],
    ),
    "invalid date": (
        with_fields(3, date="2021-02-30", date_precision="day"),
        ["bad.json", "第4条记录", "长生桥小学挂牌", "date", "2021-02-30"],
    ),
    "date finer than its precision": (
        with_fields(3, date="2021-03-05"),
        ["bad.json", "第4条记录", "date", "精度"],
    ),
    "inferred date without a reason": (
        with_fields(3, date_inferred=True),
        ["bad.json", "第4条记录", "date_inference", "依据"],
    ),
    "invalid choice": (
        with_fields(2, stage="university"),
        ["bad.json", "第3条记录", "stage", "university"],
    ),
    "missing name": (
        [{"model": "reforms.school", "fields": {"stage": "primary"}}],
        ["bad.json", "第1条记录", "name"],
    ),
    "reference to a record that does not exist": (
        with_fields(3, schools=[["不存在的学校"]]),
        ["bad.json", "第4条记录", "schools", "不存在的学校"],
    ),
    "reference to a section that does not exist": (
        with_fields(2, sources=[[REPORT, "s9"]]),
        ["bad.json", "第3条记录", "sources", "s9"],
    ),
    "record without a model": (
        [{"fields": {"name": "某校"}}],
        ["bad.json", "第1条记录", "未知的模型"],
    ),
    "null where text is required": (
        with_fields(2, description=None),
        ["bad.json", "第3条记录", "description", "null"],
    ),
    "natural key written as a bare string": (
        with_fields(3, schools=["长生桥小学"]),
        ["bad.json", "第4条记录", "schools", '["长生桥小学"]'],
    ),
    "parent chain that loops": (
        [
            {
                "model": "reforms.initiative",
                "fields": {"name": "甲", "kind": "action", "parent": ["乙"]},
            },
            {
                "model": "reforms.initiative",
                "fields": {"name": "乙", "kind": "action", "parent": ["甲"]},
            },
        ],
        ["bad.json", "循环"],
    ),
    "a relation set from the other side": (
        [{"model": "reforms.school", "fields": {"name": "甲校", "stage": "primary", "awards": []}}],
        ["bad.json", "第1条记录", "awards", "另一方"],
    ),
    "a reference nested one list too deep": (
        with_fields(3, schools=[[["长生桥小学"]]]),
        ["bad.json", "第4条记录", "schools"],
    ),
    "the same record twice with conflicting values": (
        [
            *GOOD,
            {"model": "reforms.school", "fields": {"name": "长生桥小学", "stage": "secondary"}},
        ],
        ["bad.json", "第5条记录", "第3条", "stage"],
    ),
}


@pytest.mark.parametrize("content, expected", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_fixture_is_refused_and_changes_nothing(tmp_path, loaded, content, expected):
    path = write(tmp_path, "bad.json", content)

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", path, verbosity=0)

    message = str(refused.value)
    assert "\n" not in message
    assert "未载入任何数据" in message
    for fragment in expected:
        assert fragment in message
    assert dump_reforms() == loaded


def test_a_good_file_beside_a_bad_one_is_not_loaded_either(tmp_path):
    good = write(tmp_path, "good.json", GOOD)
    bad = write(tmp_path, "bad.json", with_fields(2, stage="nursery"))

    with pytest.raises(CommandError):
        call_command("loaddata", good, bad, verbosity=0)

    assert not School.objects.exists()
    assert not Section.objects.exists()


def test_a_new_record_named_like_an_existing_alias_is_refused(tmp_path, loaded):
    School.objects.filter(name="长生桥小学").update(aliases="长小\n长生桥")
    before = dump_reforms()
    second = [{"model": "reforms.school", "fields": {"name": "长小", "stage": "primary"}}]

    with pytest.raises(CommandError, match="“长小”是已有学校及机构“长生桥小学”的别称"):
        call_command("loaddata", write(tmp_path, "second.json", second), verbosity=0)

    assert dump_reforms() == before


def test_a_parent_loop_through_stored_records_is_refused(tmp_path, loaded):
    first = [
        {"model": "reforms.initiative", "fields": {"name": "环甲", "kind": "action"}},
        {
            "model": "reforms.initiative",
            "fields": {"name": "环乙", "kind": "action", "parent": ["环甲"]},
        },
    ]
    call_command("loaddata", write(tmp_path, "first.json", first), verbosity=0)
    before = dump_reforms()
    closing = [
        {
            "model": "reforms.initiative",
            "fields": {"name": "环甲", "kind": "action", "parent": ["环乙"]},
        }
    ]

    with pytest.raises(CommandError, match="循环"):
        call_command("loaddata", write(tmp_path, "closing.json", closing), verbosity=0)

    assert dump_reforms() == before


def test_identical_duplicates_are_harmless(tmp_path):
    call_command("loaddata", write(tmp_path, "twice.json", GOOD + GOOD[2:3]), verbosity=0)

    assert School.objects.count() == 1


def test_a_record_may_refer_to_one_loaded_earlier(tmp_path, loaded):
    second_report = [
        {
            "model": "reforms.award",
            "fields": {
                "name": "示范校",
                "level": "district",
                "recipients": [["长生桥小学"]],
                "sources": [[REPORT, "s1"]],
            },
        }
    ]

    call_command("loaddata", write(tmp_path, "second.json", second_report), verbosity=0)

    assert School.objects.get().awards.get().name == "示范校"


def test_failure_while_saving_rolls_back_and_is_reported(tmp_path, loaded):
    # Both checks pass record by record; the clash only shows when the database enforces it.
    clash = [
        {"model": "reforms.school", "fields": {"name": "甲小学", "stage": "primary", "slug": "x"}},
        {"model": "reforms.school", "fields": {"name": "乙小学", "stage": "primary", "slug": "x"}},
    ]

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", write(tmp_path, "clash.json", clash), verbosity=0)

    assert "clash.json" in str(refused.value)
    assert dump_reforms() == loaded


def test_loadreports_loads_only_new_or_changed_files_and_keeps_admin_corrections(tmp_path):
    path = write(tmp_path, "report.json", GOOD)
    call_command("loadreports", path, verbosity=0)
    School.objects.filter(name="长生桥小学").update(description="编辑在后台写的更正")

    call_command("loadreports", path, verbosity=0)
    assert School.objects.get(name="长生桥小学").description == "编辑在后台写的更正"

    write(tmp_path, "report.json", with_fields(2, description="数据文件里的新说明"))
    call_command("loadreports", path, verbosity=0)
    assert School.objects.get(name="长生桥小学").description == "数据文件里的新说明"


def test_loadreports_records_nothing_when_the_load_fails(tmp_path):
    path = write(tmp_path, "report.json", with_fields(2, stage="nursery"))

    with pytest.raises(CommandError):
        call_command("loadreports", path, verbosity=0)

    assert not FixtureLoad.objects.exists()
    assert not School.objects.exists()


def test_command_line_gives_one_line_and_a_failing_status(tmp_path, cli_environment):
    env = cli_environment
    run = [sys.executable, "manage.py"]

    result = subprocess.run(
        [*run, "loaddata", write(tmp_path, "bad.json", "{oops")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "bad.json" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# Only the report's records: a fixture comes from outside and must not reach accounts,
# permissions or the history.

SUPERUSER = {
    "model": "auth.user",
    "fields": {
        "username": "intruder",
        # A hash whose password the sender knows.
        "password": "pbkdf2_sha256$1000000$salt$aGFzaA==",
        "is_superuser": True,
        "is_staff": True,
        "is_active": True,
    },
}


def as_xml(records):
    objects = "".join(
        f'<object model="{record["model"]}">'
        + "".join(
            f'<field name="{name}">{value}</field>' for name, value in record["fields"].items()
        )
        + "</object>"
        for record in records
    )
    head = '<?xml version="1.0" encoding="utf-8"?><django-objects version="1.0">'
    return f"{head}{objects}</django-objects>"


def as_jsonl(records):
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def assert_refused_and_nothing_written(refused, before, django_user_model):
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("未载入任何数据：")
    assert "“auth.user”" in message and "只能载入报道的记录" in message
    assert not django_user_model.objects.exists()
    assert dump_reforms() == before


@pytest.mark.parametrize(
    "label",
    [
        "auth.user",
        "auth.permission",
        "auth.group",
        "contenttypes.contenttype",
        "axes.accessattempt",
        "reforms.historicalschool",
        "reforms.fixtureload",
        "reforms.dataversion",
        "reforms.searchgram",
    ],
)
def test_a_json_fixture_may_hold_only_the_reports_records(tmp_path, loaded, label):
    path = write(tmp_path, "bad.json", [*GOOD, {"model": label, "fields": {}}])

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", path, verbosity=0)

    message = str(refused.value)
    assert "\n" not in message
    assert "bad.json：第5条记录：数据文件只能载入报道的记录" in message
    assert f"“{label}”" in message
    assert dump_reforms() == loaded


@pytest.mark.parametrize("fmt, serialize", [("xml", as_xml), ("jsonl", as_jsonl)])
def test_a_fixture_in_another_format_cannot_create_an_account(
    tmp_path, loaded, django_user_model, fmt, serialize
):
    new_report = {"model": "reforms.report", "fields": {"name": "另一篇报道"}}
    path = write(tmp_path, f"bad.{fmt}", serialize([new_report, SUPERUSER]))

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", path, verbosity=0)

    # Only JSON is read at all: the file is refused before any record in it is looked at.
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("未载入任何数据：")
    assert f"bad.{fmt}：只能载入 JSON 格式的数据文件" in message
    assert not django_user_model.objects.exists()
    assert dump_reforms() == loaded


def test_a_fixture_from_standard_input_cannot_create_an_account(
    loaded, django_user_model, monkeypatch
):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps([SUPERUSER])))

    with pytest.raises(CommandError) as refused:
        call_command("loaddata", "-", format="json", verbosity=0)

    assert_refused_and_nothing_written(refused, loaded, django_user_model)
    assert "标准输入：第1条记录" in str(refused.value)


def test_loadreports_cannot_create_an_account_either(tmp_path, django_user_model):
    path = write(tmp_path, "report.json", [*GOOD, SUPERUSER])

    with pytest.raises(CommandError) as refused:
        call_command("loadreports", path, verbosity=0)

    assert_refused_and_nothing_written(refused, [], django_user_model)
    assert not FixtureLoad.objects.exists()


def test_an_account_from_standard_input_fails_the_command_in_one_line(cli_environment):
    env = cli_environment
    run = [sys.executable, "manage.py"]
    count_users = "from django.contrib.auth.models import User; print(User.objects.count())"

    result = subprocess.run(
        [*run, "loaddata", "--format=json", "-"],
        input=json.dumps([SUPERUSER]),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    users = subprocess.run(
        [*run, "shell", "--no-imports", "-c", count_users],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "auth.user" in result.stderr
    assert users.stdout.strip() == "0"
