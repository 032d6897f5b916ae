"""Check JSON fixtures before any row is written, and say what is wrong in one line.

Django's ``loaddata`` meets a malformed fixture with a traceback, or, for a record listed twice
with different values, silently keeps the last one. Editors deserve better: this reads every
file of a load first and reports the first problem by file, record and field.

Fixtures come from outside (editors receive them, drafts are made from report texts), so only
the portal's record models may be named in one: never an account, a permission or a session.
"""

import json
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import (
    FieldDoesNotExist,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import models

from ..models import FIXTURE_MODELS


class FixtureProblem(Exception):
    pass


# The only models a fixture may write: the report's records. Fixtures come from outside
# (editors receive them, drafts are made from report texts), and one naming anything else
# could create a superuser, grant permissions or rewrite the history.
LOADABLE_MODELS = tuple(model._meta.label_lower for model in FIXTURE_MODELS)


def cited_reports(fields):
    """The names of the reports a fixture record cites in ``sources``, in order of citation."""
    names = []
    for source in fields.get("sources") or ():
        if isinstance(source, list) and source and isinstance(source[0], str):
            if source[0] not in names:
                names.append(source[0])
    return names


def not_loadable(label):
    """Why a fixture may not hold a record of the model ``label`` (as ``app.model``), or None
    if it may."""
    if str(label).lower() in LOADABLE_MODELS:
        return None
    return f"数据文件只能载入报道的记录（{'、'.join(LOADABLE_MODELS)}），不能载入 “{label}”。"


@dataclass
class Record:
    path: str
    index: int
    label: str
    fields: dict
    pk: object = None
    # The one report the record's file defines, if it defines exactly one.
    file_report: str = None

    @property
    def model(self):
        return apps.get_model(self.label)

    @property
    def speaker(self):
        """The report that says this record: the one its sources cite or, for a record
        citing none, the one report its file defines; None for an editor's record."""
        cited = cited_reports(self.fields)
        if len(cited) == 1:
            return cited[0]
        return self.file_report if not cited else None

    def describe(self):
        name = self.fields.get("name") or self.fields.get("key") or self.pk
        shown = f" “{name}”" if name not in (None, "") else ""
        return f"{self.path}：第{self.index}条记录（{self.label}{shown}）"


def natural_key_of(model, fields):
    """The natural key a fixture record will have once loaded, or None if the model has none.

    Named records are keyed by ``name``; a composite key (a section: report and key) follows
    the model's unique constraint, with foreign natural keys spliced in.
    """
    if not hasattr(model, "natural_key"):
        return None
    if "name" in fields and any(f.name == "name" and f.unique for f in model._meta.fields):
        return (fields["name"],)
    parts = []
    for field_name in _natural_key_fields(model):
        value = fields.get(field_name)
        parts.extend(value if isinstance(value, list) else [value])
    return tuple(parts) or None


def _natural_key_fields(model):
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            return constraint.fields
    return ()


def _reference(value):
    """How a fixture refers to a row: a natural-key list, or a primary key."""
    return ("nk", tuple(value)) if isinstance(value, list) else ("pk", value)


@dataclass
class FixtureChecker:
    using: str = "default"
    ignore_unknown_fields: bool = False
    records: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    _seen: dict = field(default_factory=dict)
    _loading: dict = field(default_factory=dict)
    _by_name: dict = field(default_factory=dict)

    def add_file(self, path, raw_bytes):
        try:
            text = raw_bytes.decode("utf-8")
        except UnicodeDecodeError as error:
            self._problem(f"{path}：不是 UTF-8 编码的文本（第{error.start + 1}字节）。")
            return
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            self._problem(
                f"{path}：第{error.lineno}行第{error.colno}列不是合法的 JSON（{error.msg}）。"
            )
            return
        if not isinstance(data, list):
            self._problem(f"{path}：顶层应是记录的列表 [...]，而不是 {type(data).__name__}。")
            return
        reports = {
            item["fields"].get("name")
            for item in data
            if isinstance(item, dict)
            and item.get("model") == "reforms.report"
            and isinstance(item.get("fields"), dict)
        }
        for index, item in enumerate(data, start=1):
            self._add_record(path, index, item, reports)

    def _add_record(self, path, index, item, reports):
        where = f"{path}：第{index}条记录"
        if not isinstance(item, dict) or not isinstance(item.get("fields", {}), dict):
            self._problem(f"{where}：应是含 model 和 fields 的对象。")
            return
        label = item.get("model")
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError, TypeError, AttributeError):
            self._problem(f"{where}：未知的模型 “{label}”（应写成 “reforms.school” 这样的形式）。")
            return
        refused = not_loadable(model._meta.label_lower)
        if refused:
            self._problem(f"{where}：{refused}")
            return
        record = Record(
            path,
            index,
            model._meta.label_lower,
            item.get("fields", {}),
            item.get("pk"),
            next(iter(reports)) if len(reports) == 1 else None,
        )
        self.records.append(record)
        self._check_section_with_its_report(record, reports)
        if len(cited_reports(record.fields)) > 1:
            self._problem(
                f"{record.describe()}：出处引用了{len(cited_reports(record.fields))}篇报道"
                f"（{'、'.join(cited_reports(record.fields))}）；一条记录只能说一篇报道所述，"
                "请在每篇报道的文件里各写一条。"
            )
            return
        natural = natural_key_of(model, record.fields)
        if natural is not None:
            identity = ("nk", natural)
        elif record.pk is not None:
            identity = ("pk", record.pk)
        else:
            return
        # The same record from two reports is one report adding to another, merged on load.
        key = (record.label, identity, record.speaker)
        earlier = self._seen.get(key)
        if earlier is None:
            self._seen[key] = record
            loading = self._loading.setdefault(record.label, set())
            loading.add(identity)
            if record.pk is not None:
                loading.add(("pk", record.pk))
        elif earlier.fields != record.fields:
            differing = sorted(
                name
                for name in set(earlier.fields) | set(record.fields)
                if earlier.fields.get(name) != record.fields.get(name)
            )
            self._problem(
                f"{record.describe()}：与 {earlier.path} 第{earlier.index}条是同一条记录，"
                f"但字段 {', '.join(differing)} 的值不同；请只保留一份。"
            )

    def check(self):
        """Raise FixtureProblem naming the first problem found, if any."""
        self._by_name = {}
        for record in self.records:
            self._by_name.setdefault((record.label, record.fields.get("name")), []).append(record)
        for record in self.records:
            self._check_fields(record)
        self._check_parent_loops()
        if self.problems:
            more = len(self.problems) - 1
            suffix = f"（另有{more}处问题）" if more else ""
            raise FixtureProblem(self.problems[0] + suffix)

    def _check_fields(self, record):
        model = record.model
        self._check_not_an_alias(record)
        plain = {}
        for name, value in record.fields.items():
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                if not self.ignore_unknown_fields:
                    self._problem(f"{record.describe()}：{model.__name__} 没有字段 “{name}”。")
                continue
            if model_field.auto_created and not model_field.concrete:
                self._problem(
                    f"{record.describe()}：“{name}”是从另一方记录的关联，请在那一方的记录里填写。"
                )
                continue
            if not (model_field.concrete or model_field.many_to_many):
                # What reports say of a record (statements) comes from its fields, never as such.
                self._problem(f"{record.describe()}：{model.__name__} 没有字段 “{name}”。")
                continue
            if model_field.many_to_many:
                self._check_many(record, model_field, value)
            elif model_field.is_relation:
                self._check_reference(record, model_field, value)
            elif model_field.concrete:
                plain[model_field.attname] = value
        self._check_values(record, model, plain)

    def _check_values(self, record, model, plain):
        if model._meta.label_lower == "reforms.figure":
            # A report's number comes whole: the value, its unit and how it was printed.
            parts = {"value": "数值", "unit": "单位（如“所”“人”）", "as_written": "原文写法"}
            if any(name in plain for name in parts):
                for name, what in parts.items():
                    if plain.get(name) in (None, ""):
                        self._problem(f"{record.describe()}：字段 {name}：数值须注明{what}。")
                        return
        instance = self._starting_point(record, model)
        for attname, value in plain.items():
            model_field = model._meta.get_field(attname)
            if value is None and not model_field.null:
                self._problem(f"{record.describe()}：字段 {attname} 不能为 null（可写空字符串）。")
                return
            try:
                setattr(instance, attname, model_field.to_python(value))
            except ValidationError as error:
                self._problem(f"{record.describe()}：字段 {attname}：{' '.join(error.messages)}")
                return
        relations = [f.name for f in model._meta.get_fields() if f.is_relation]
        try:
            instance.full_clean(
                exclude=relations, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            field_name, messages = next(iter(error.message_dict.items()))
            where = "" if field_name == "__all__" else f"字段 {field_name}："
            self._problem(f"{record.describe()}：{where}{' '.join(messages)}")

    def _check_section_with_its_report(self, record, reports):
        """A report's sections come with the report, in its own file: another file could
        otherwise rewrite the headings a report's citations point to."""
        if record.label != "reforms.section":
            return
        report = record.fields.get("report")
        name = report[0] if isinstance(report, list) and report else report
        if name not in reports:
            self._problem(
                f"{record.describe()}：章节只能和它的报道（“{name}”）写在同一个数据文件里。"
            )

    def _starting_point(self, record, model):
        """What a record is checked on top of: the stored record it repeats, or the same
        record as another report in this load gives it, so that a repeat may give only its
        name and sources; a new record starts empty and must give every required field."""
        name = record.fields.get("name")
        if not name or not hasattr(model, "statements"):
            return model()
        stored = model._default_manager.db_manager(self.using).filter(name=name).first()
        if stored is not None:
            return stored
        instance = model()
        for other in self._by_name.get((record.label, name), ()):
            if other.speaker != record.speaker:
                for field_name, value in other.fields.items():
                    try:
                        model_field = model._meta.get_field(field_name)
                        if model_field.concrete and not model_field.is_relation:
                            setattr(instance, model_field.attname, model_field.to_python(value))
                    except (FieldDoesNotExist, ValidationError):
                        continue
                break
        return instance

    def _check_many(self, record, model_field, value):
        if not isinstance(value, list):
            self._problem(f"{record.describe()}：字段 {model_field.name} 应是列表。")
            return
        for item in value:
            if not self._exists(model_field.related_model, item):
                self._missing(record, model_field, item)
                return

    def _check_reference(self, record, model_field, value):
        if value is None:
            if not model_field.null:
                self._problem(f"{record.describe()}：字段 {model_field.name} 不能为空。")
            return
        if not self._exists(model_field.related_model, value):
            self._missing(record, model_field, value)

    def _missing(self, record, model_field, value):
        target = model_field.related_model._meta.verbose_name
        if isinstance(value, str) and hasattr(model_field.related_model, "natural_key"):
            self._problem(
                f"{record.describe()}：字段 {model_field.name} 引用{target}须写成名称的列表，"
                f'如 ["{value}"]，而不是 "{value}"。'
            )
            return
        shown = "、".join(map(str, value)) if isinstance(value, list) else value
        self._problem(
            f"{record.describe()}：字段 {model_field.name} 引用的{target}“{shown}”"
            "既不在数据库中，也不在本次载入的文件里。"
        )

    def _check_not_an_alias(self, record):
        """A new record named like another's alias is almost always that record again."""
        model, name = record.model, record.fields.get("name")
        if not name or "aliases" not in {f.name for f in model._meta.fields}:
            return
        manager = model._default_manager.db_manager(self.using)
        if manager.filter(name=name).exists():
            return
        for other in manager.filter(aliases__contains=name).only("name", "aliases"):
            if name in other.alias_list:
                self._problem(
                    f"{record.describe()}：“{name}”是已有{model._meta.verbose_name}"
                    f"“{other.name}”的别称；要指同一个，请用“{other.name}”引用它，不要新建。"
                )
                return

    def _exists(self, model, value):
        if value == [] or (
            isinstance(value, list) and not all(isinstance(part, str | int) for part in value)
        ):
            return False
        if _reference(value) in self._loading.get(model._meta.label_lower, ()):
            return True
        manager = model._default_manager.db_manager(self.using)
        try:
            if isinstance(value, list):
                manager.get_by_natural_key(*value)
            else:
                manager.get(pk=value)
        except (
            ObjectDoesNotExist,
            MultipleObjectsReturned,
            ValidationError,
            ValueError,
            TypeError,
        ):
            return False
        return True

    def _check_parent_loops(self):
        """Refuse records whose ``parent`` chain, within this load, comes back to them."""
        parents = {}
        for record in self.records:
            parent = record.fields.get("parent")
            if isinstance(parent, list) and record.fields.get("name"):
                parents[(record.label, (record.fields["name"],))] = (record, tuple(parent))
        for (label, key), (record, _) in parents.items():
            seen, current = {key}, key
            while current is not None:
                if (label, current) in parents:
                    current = parents[(label, current)][1]
                else:
                    # The chain left this load: follow it on through the stored records.
                    current = self._stored_parent(record.model, current)
                if current in seen:
                    self._problem(f"{record.describe()}：上级关系绕回了自己（循环引用）。")
                    return
                seen.add(current)

    def _stored_parent(self, model, key):
        parent = (
            model._default_manager.db_manager(self.using)
            .filter(name=key[0])
            .values_list("parent__name", flat=True)
            .first()
        )
        return (parent,) if parent else None

    def _problem(self, message):
        self.problems.append(message)
