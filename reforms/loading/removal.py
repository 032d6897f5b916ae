"""Take a report out again: its sections, what it says, its figure values, its citations, the
links only it made, and the records only it supports.

Records that other reports also speak of stay, with what those reports say: fields only the
removed report gave are emptied (a required one keeps its value and passes to the earliest
report left), aliases and links only it gave go, and the record's own words become those of the
earliest report left. Loading a report and removing it gives back the records there were.

A record only the removed report supports but that a record staying behind links to (an
editor's link, or another report's) is not deleted silently: the removal is refused, naming
each such link, unless the caller agrees to keep those records.
"""

from dataclasses import dataclass, field

from django.db import transaction

from ..history import versions_of_loaded_records
from ..models import Figure, FigureValue, Report, Section
from .check import FixtureProblem
from .dump import RECORD_MODELS
from .merge import is_blank, known_field, lines, primary_statement


@dataclass
class Link:
    """A record staying behind that refers to a record only the report supports."""

    going: object
    staying: object
    field_name: str

    def __str__(self):
        where = self.staying._meta.get_field(self.field_name).verbose_name
        return (
            f"{self.going._meta.verbose_name}“{self.going.name}”被"
            f"{self.staying._meta.verbose_name}“{self.staying.name}”的“{where}”关联"
        )


@dataclass
class Removal:
    report: Report
    sections: list
    figure_values: list
    going: list = field(default_factory=list)
    staying: list = field(default_factory=list)  # (record, names of the other reports)
    links_going: list = field(default_factory=list)  # (record, field name, linked record)
    linked: list = field(default_factory=list)

    def summary(self):
        """What the removal takes away and what it leaves, one line each, for the editor to
        confirm."""
        yield f"报道：{self.report.name}"
        yield f"章节：{len(self.sections)} 节"
        for value in self.figure_values:
            yield f"删除数值：{value.figure.name} {value.as_written}"
        linked = {(type(link.going), link.going.pk) for link in self.linked}
        for record in self.going:
            if (type(record), record.pk) not in linked:
                yield f"删除{record._meta.verbose_name}：{record.name}（只有这篇报道提到）"
        for record, others in self.staying:
            yield (
                f"保留{record._meta.verbose_name}：{record.name}（{'、'.join(others)}也提到；"
                "去掉这篇报道的说法、出处和关联）"
            )
        for record, field_name, other in self.links_going:
            where = record._meta.get_field(field_name).verbose_name
            yield f"解除关联：{record.name} 的“{where}”不再含 {other.name}（只有这篇报道这样关联）"
        for link in self.linked:
            yield f"保留：{link}，不能随报道删除（只有这篇报道提到它）"


def _supported(record, report):
    """The names of the reports other than ``report`` that speak of or are cited by
    ``record``."""
    others = {s.report.name for s in record.statements.all() if s.report_id != report.pk}
    others.update(s.report.name for s in record.sources.all() if s.report_id != report.pk)
    return sorted(others)


def plan(report):
    removal = Removal(
        report=report,
        sections=list(report.sections.all()),
        figure_values=list(report.figure_values.select_related("figure")),
    )
    for model in RECORD_MODELS:
        records = (
            model.objects.filter(statements__report=report)
            | model.objects.filter(sources__report=report)
        ).distinct()
        records = records.prefetch_related("statements__report", "sources__report")
        for record in records.order_by("sort_key", "name"):
            others = _supported(record, report)
            if others:
                removal.staying.append((record, others))
                removal.links_going.extend(_links_only_of(record, report))
            else:
                removal.going.append(record)
    removal.linked = list(_links_to(removal.going, report))
    return removal


def _statement(record, report):
    return next((s for s in record.statements.all() if s.report_id == report.pk), None)


def _links_only_of(record, report):
    own = _statement(record, report)
    if own is None:
        return
    others = [s for s in record.statements.all() if s.report_id != report.pk]
    for field_name, pks in own.links.items():
        kept = {pk for s in others for pk in s.links.get(field_name, ())}
        for other in getattr(record, field_name).filter(pk__in=set(pks) - kept):
            yield record, field_name, other


def _links_to(going, report):
    """References to the records that would go from records that stay, except those only
    this report made (they go with it)."""
    going_keys = {(type(r), r.pk) for r in going}
    by_model = {}
    for record in going:
        by_model.setdefault(type(record), {})[record.pk] = record
    for model in RECORD_MODELS:
        for model_field in model._meta.get_fields():
            if not model_field.concrete or not model_field.is_relation:
                continue
            targets = by_model.get(model_field.related_model)
            if not targets:
                continue
            referring = model.objects.filter(**{f"{model_field.name}__in": list(targets)})
            for staying in referring.prefetch_related("statements").distinct():
                if (model, staying.pk) in going_keys:
                    continue
                own = _statement(staying, report)
                others = [s for s in staying.statements.all() if s.report_id != report.pk]
                if model_field.many_to_many:
                    linked = getattr(staying, model_field.name).filter(pk__in=list(targets))
                    for target in linked:
                        mine = own and target.pk in own.links.get(model_field.name, ())
                        theirs = any(target.pk in s.links.get(model_field.name, ()) for s in others)
                        if theirs or not mine:
                            yield Link(target, staying, model_field.name)
                else:
                    stated_by_others = any(s.states(model_field.name) for s in others)
                    if stated_by_others or not (own and own.states(model_field.name)):
                        target = targets[getattr(staying, model_field.attname)]
                        yield Link(target, staying, model_field.name)


def remove(removal, keep_linked=False):
    """Carry out a planned removal in one transaction."""
    if removal.linked and not keep_linked:
        raise FixtureProblem(
            f"未移除报道“{removal.report.name}”：{'；'.join(map(str, removal.linked))}。"
            "这些记录只有这篇报道提到，却被留下的记录关联；请先在后台解除这些关联，"
            "或确认保留它们（--keep-linked）后再移除。"
        )
    kept = {(type(link.going), link.going.pk) for link in removal.linked}
    report = removal.report
    with transaction.atomic(), versions_of_loaded_records(f"移除报道 {report.name}"):
        for record, _others in removal.staying:
            _withdraw(record, report)
        for model in reversed(RECORD_MODELS):
            pks = [r.pk for r in removal.going if type(r) is model and (model, r.pk) not in kept]
            if pks:
                # One by one, so that every deletion leaves its version and leaves the index.
                for record in model.objects.filter(pk__in=pks):
                    record.delete()
        # Its sections, statements and figure values go with it.
        report.delete()


def _withdraw(record, report):
    """Take what ``report`` says out of a record that other reports also speak of."""
    own = _statement(record, report)
    others = [s for s in record.statements.all() if s.report_id != report.pk]
    if own is not None:
        for name in own.given:
            model_field = known_field(type(record), name)
            if model_field is None:
                # A field the report's file named but the model lacks (loaded with --ignore).
                continue
            if name in ("description", "ambiguity", "sources") or model_field.many_to_many:
                continue
            if isinstance(record, Figure) and name in Figure.VALUE_FIELDS:
                continue
            if name == "aliases":
                theirs = {line for s in others for line in lines(s.given.get("aliases"))}
                mine = set(lines(own.given.get("aliases"))) - theirs
                record.aliases = "\n".join(a for a in lines(record.aliases) if a not in mine)
            elif own.states(name) and not any(s.states(name) for s in others):
                _empty_or_pass_on(record, model_field, others)
        for _record, field_name, other in _links_only_of(record, report):
            getattr(record, field_name).remove(other)
        own.delete()
    record.sources.remove(*Section.objects.filter(report=report))
    if others:
        first = primary_statement(others, _reports_of(others))
        record.description, record.ambiguity = first.description, first.ambiguity
    if isinstance(record, Figure):
        FigureValue.objects.filter(figure=record, report=report).delete()
        record.show_latest_value()
    record.save_base(raw=True)


def _empty_or_pass_on(record, model_field, others):
    """Empty a field only the removed report gave; a required one keeps its value, now
    given by the earliest report left, so its fixture still loads on its own."""
    if model_field.null:
        setattr(record, model_field.attname, None)
    elif model_field.blank:
        setattr(record, model_field.attname, model_field.get_default())
    elif others:
        first = primary_statement(others, _reports_of(others))
        value = getattr(record, model_field.attname)
        if not is_blank(value):
            first.given = {**first.given, model_field.name: value}
            first.save(update_fields=["given"])


def _reports_of(statements):
    """A report by primary key, from the statements' own (prefetched) reports."""
    return {statement.report_id: statement.report for statement in statements}.__getitem__
