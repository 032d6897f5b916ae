"""Drafts in the database: stored for review, decided on one candidate at a time, published
through ``reforms.loading`` (so every check of a fixture load applies) or thrown away.

A draft never touches the record tables until it is published, so no public page, count,
facet, search, export or download can show what it proposes.
"""

import json

from django.apps import apps
from django.db import transaction

from ..loading import FixtureProblem
from ..models import Decision, Draft, DraftCandidate, Report
from . import DraftProblem, draft

NAMED_KINDS = ("school", "organization", "zone", "award", "publication", "figure", "milestone")
# Fields that name other records, and whether they hold one name or a list of them.
LINK_FIELDS = {
    "recipients": True,
    "schools": True,
    "organizations": True,
    "zones": True,
    "partners": True,
    "initiatives": True,
    "parent": False,
    "conferring_body": False,
    "initiative": False,
    "zone": False,
    "school": False,
}


class StoredNames:
    """What a drafted name refers to among stored records: ``(kind, name)`` gives the stored
    name (the record's own, also when the drafted name is one of its aliases) or None."""

    def __init__(self):
        self._names = {}

    def _load(self, kind):
        model = apps.get_model("reforms", kind)
        names = {}
        fields = ["name", "aliases"] if hasattr(model, "aliases") else ["name"]
        for row in model.objects.values(*fields):
            names[row["name"]] = row["name"]
            for alias in (row.get("aliases") or "").splitlines():
                if alias.strip():
                    names.setdefault(alias.strip(), row["name"])
        self._names[kind] = names

    def __call__(self, kind, name):
        return self.forms(kind).get(name)

    def forms(self, kind):
        """Every stored name and alias of ``kind``, each with the stored name it stands for:
        read in one query per kind, however many sentences ask."""
        if kind not in self._names:
            self._load(kind)
        return self._names[kind]


def refuse_taken_name(name):
    if Report.objects.filter(name=name).exists():
        raise DraftProblem(
            f"报道“{name}”已经载入；要重新草拟，先用 manage.py removereport {name} 移除它，"
            "或用 --name 另起标题。"
        )
    if Draft.objects.named(name).exists():
        raise DraftProblem(
            f"报道“{name}”已有一份待审草稿；请先在后台审阅或删除它，或用 --name 另起标题。"
        )


# A draft file comes from outside like any fixture: it may name only the kinds a draft
# proposes, and its texts are held to sizes a newspaper page gives.
DRAFT_MODELS = {"reforms.report", "reforms.section", *(f"reforms.{kind}" for kind in NAMED_KINDS)}
LONGEST_EVIDENCE = draft.LONGEST_EVIDENCE
LONGEST_TEXT = 20_000
DEEPEST = 3
MOST_OBJECTS = 20_000


def draft_objects(raw, path="草稿"):
    """The objects of a fixture file if it is a draft (its report carries ``draft``), else
    None. Raises ``FixtureProblem`` naming the first thing wrong with a draft, or with a file
    that marks records as drafted without being a draft."""
    try:
        data = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    except RecursionError:
        raise FixtureProblem(f"{path}：数据嵌套过深，不是报道数据文件。") from None
    if not isinstance(data, list):
        return None
    marked = [
        index
        for index, item in enumerate(data, start=1)
        if isinstance(item, dict) and "draft" in item
    ]
    if not any(data[index - 1].get("model") == "reforms.report" for index in marked):
        if marked:
            raise FixtureProblem(
                f"{path}：第{marked[0]}条记录带有草稿标记 draft，而报道没有；"
                "草稿标记只用在 draftreport 写出的草稿里。"
            )
        return None
    _check_draft(data, path)
    return data


def _check_draft(data, path):
    """Raise ``FixtureProblem`` at the first object of a draft that is not what drafting
    writes: a kind no draft proposes, fields of the wrong type or size, no name."""
    if len(data) > MOST_OBJECTS:
        raise FixtureProblem(f"{path}：草稿有 {len(data)} 条记录，超过 {MOST_OBJECTS} 条。")
    reports = 0
    for index, item in enumerate(data, start=1):
        where = f"{path}：第{index}条记录"
        if not isinstance(item, dict):
            raise FixtureProblem(f"{where}不是对象。")
        model = item.get("model")
        if model not in DRAFT_MODELS:
            raise FixtureProblem(
                f"{where}的类型“{str(model)[:40]}”不是草稿里会有的记录（学校、机构、实验区、"
                "荣誉、论著与文件、数据、大事记、报道及其章节）。"
            )
        reports += model == "reforms.report"
        fields = item.get("fields")
        if not isinstance(fields, dict):
            raise FixtureProblem(f"{where}（{model}）没有字段（fields 应是对象）。")
        known = {field.name for field in apps.get_model(model)._meta.get_fields()}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise FixtureProblem(f"{where}（{model}）没有字段 {str(unknown[0])[:40]}。")
        if model != "reforms.section":
            name = fields.get("name")
            if not isinstance(name, str) or not name.strip() or len(name) > 200:
                raise FixtureProblem(f"{where}（{model}）的名称应是 1 至 200 字的文字。")
        for field, value in fields.items():
            longest = getattr(apps.get_model(model)._meta.get_field(field), "max_length", None)
            if isinstance(value, str) and longest and len(value) > longest:
                problem = f"超过 {longest} 字"
            else:
                problem = _value_problem(value)
            if problem:
                raise FixtureProblem(f"{where}（{model}）的字段 {field} {problem}。")
        note = item.get("draft", {})
        if model == "reforms.section" and "draft" in item:
            raise FixtureProblem(f"{where}：章节不带草稿标记。")
        if not isinstance(note, dict):
            raise FixtureProblem(f"{where}的草稿标记 draft 应是对象。")
        for key, kind, longest in (
            ("evidence", str, LONGEST_EVIDENCE),
            ("section", str, 50),
            ("text_file", str, 200),
            ("repeat", bool, None),
        ):
            if key in note and not (
                isinstance(note[key], kind) and (longest is None or len(note[key]) <= longest)
            ):
                raise FixtureProblem(f"{where}的草稿标记 {key} 类型或长度不对。")
    if reports != 1:
        raise FixtureProblem(f"{path}：草稿应正好有一篇报道，这里有 {reports} 篇。")


def _value_problem(value, depth=0):
    """What is wrong with a field's value in a draft, or "" when nothing is: values are
    plain JSON, lists (of links) at most three deep, texts of page size."""
    if value is None or isinstance(value, bool | int | float):
        return ""
    if isinstance(value, str):
        return f"超过 {LONGEST_TEXT} 字" if len(value) > LONGEST_TEXT else ""
    if isinstance(value, list):
        if depth >= DEEPEST:
            return "嵌套过深"
        return next((p for p in (_value_problem(v, depth + 1) for v in value) if p), "")
    return "不应是对象"


@transaction.atomic
def store_draft(objects, path="草稿"):
    """Store a draft fixture's objects as an unpublished draft; returns the ``Draft``."""
    _check_draft(objects, path)
    report = next(item for item in objects if item.get("model") == "reforms.report")
    fields = report.get("fields") or {}
    name = fields.get("name")
    if not name:
        raise FixtureProblem(f"{path}：草稿的报道没有标题（name）。")
    try:
        refuse_taken_name(name)
    except DraftProblem as problem:
        raise FixtureProblem(f"{path}：{problem}") from None
    draft = Draft.objects.create(
        name=name,
        report=fields,
        sections=[item["fields"] for item in objects if item.get("model") == "reforms.section"],
        source_file=fields.get("source_file", ""),
    )
    candidates = []
    for position, item in enumerate(objects):
        if item.get("model") in ("reforms.report", "reforms.section"):
            continue
        note = item.get("draft") or {}
        candidates.append(
            DraftCandidate(
                draft=draft,
                position=position,
                model=str(item.get("model")),
                fields=item.get("fields") or {},
                evidence=note.get("evidence", ""),
                section=note.get("section", ""),
                repeat=bool(note.get("repeat")),
            )
        )
    DraftCandidate.objects.bulk_create(candidates)
    return draft


def stored_for_review(draft):
    """The line telling the editor a draft was stored, how big it is and where to review it."""
    from django.urls import reverse

    where = reverse("admin:reforms_draft_change", args=[draft.pk])
    return (
        f"草稿“{draft.name}”已存为待审草稿（{draft.candidates.count()} 条候选记录，均未公开），"
        f"请在后台“报道草稿”中审阅：{where}"
    )


def decide(candidate, decision, merged_into=""):
    """Accept, reject or merge ``candidate`` into the stored record named ``merged_into``."""
    if decision == Decision.MERGED:
        model = apps.get_model(candidate.model)
        if not model.objects.filter(name=merged_into).exists():
            raise DraftProblem(f"没有名为“{merged_into}”的{model._meta.verbose_name}。")
    candidate.decision = decision
    candidate.merged_into = merged_into if decision == Decision.MERGED else ""
    candidate.save(update_fields=["decision", "merged_into"])


def publish_objects(draft):
    """The fixture the draft publishes: its report, its sections, and each accepted or merged
    candidate; links to candidates left out are dropped, links to merged ones follow them."""
    candidates = list(draft.candidates.all())
    renamed = {}
    kept = set()
    for candidate in candidates:
        if candidate.decision == Decision.MERGED:
            renamed[(candidate.model, candidate.name)] = candidate.merged_into
            kept.add(candidate.merged_into)
        elif candidate.decision == Decision.ACCEPTED:
            kept.add(candidate.name)
    stored = StoredNames()
    objects = [
        {"model": "reforms.report", "fields": _report_fields(draft.report)},
        *({"model": "reforms.section", "fields": fields} for fields in draft.sections),
    ]
    for candidate in candidates:
        if candidate.decision not in (Decision.ACCEPTED, Decision.MERGED):
            continue
        fields = dict(candidate.fields)
        if candidate.decision == Decision.MERGED:
            fields = {"name": candidate.merged_into, "sources": fields.get("sources", [])}
            if candidate.model == "reforms.figure":
                for value_field in ("value", "unit", "qualifier", "as_written"):
                    fields[value_field] = candidate.fields.get(value_field, "")
        for link, many in LINK_FIELDS.items():
            if link not in fields:
                continue
            fields[link] = _linked(fields[link], many, renamed, kept, stored)
            if fields[link] is None:
                del fields[link]
        objects.append({"model": candidate.model, "fields": fields})
    return objects


def _report_fields(fields):
    return {key: value for key, value in fields.items() if value not in (None,)}


def _linked(value, many, renamed, kept, stored):
    references = value if many else [value]
    result = []
    for reference in references or ():
        name = reference[0] if isinstance(reference, list) and reference else reference
        if not isinstance(name, str):
            continue
        for (_model, drafted), target in renamed.items():
            if drafted == name:
                name = target
        if name in kept or any(stored(kind, name) == name for kind in NAMED_KINDS):
            result.append([name])
    if many:
        return result
    return result[0] if result else None


def publish(draft):
    """Load the draft's accepted candidates at once, as a fixture, then drop the draft.

    Raises ``FixtureProblem`` (nothing written, the draft kept) when the load refuses them.
    """
    from .. import loading

    objects = publish_objects(draft)
    raw = json.dumps(objects, ensure_ascii=False).encode("utf-8")
    with transaction.atomic():
        changed = loading.load([(f"草稿“{draft.name}”", raw)])
        draft.delete()
    return changed
