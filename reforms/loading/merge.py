"""Put checked fixture records into the database, each report adding to what the others say.

A record a fixture names is matched by natural key. Given by the report that already speaks of
it, it is that report's correction; given by another report, it is an addition: its sources,
links and aliases join the stored ones, fields it leaves out or leaves blank keep their stored
values, its description and ambiguity are kept as its own words beside the others'
(``Statement``), and a figure's number becomes one more value of the measure
(``FigureValue``). A fact stated differently from what another report (or an editor) stored
is refused, naming both.

Only what changes is written: an unchanged record is not saved, so a load that changes
nothing leaves no version in the history, keeps the data version (and every cached page) and
re-indexes nothing.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist

from ..models import Figure, FigureValue, Report, Section, Statement
from .check import FixtureProblem

# Worked out again on every save, whatever a fixture says.
DERIVED_FIELDS = ("sort_key", "pinyin", "initials", "is_synthetic", "value_count")
OWN_WORDS = ("description", "ambiguity")
FIGURE_VALUE_DEFAULTS = {
    "qualifier": "",
    "date": None,
    "date_precision": "",
    "date_inferred": False,
    "date_inference": "",
}


def is_blank(value):
    """A value that states nothing: a report leaving a field empty does not contradict one
    that fills it."""
    return value is None or value is False or value == "" or value == []


def known_field(model, name):
    """The model's field of that name, or None for a name ``loaddata --ignorenonexistent``
    lets through."""
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def primary_statement(statements, report_of):
    """The statement of the earliest report: its words are the record's own."""
    return min(statements, key=lambda statement: report_of(statement.report_id).order_key)


@dataclass
class Working:
    """A record being merged: its state before the load and as the load leaves it."""

    instance: object
    before: dict
    sources: dict = field(default_factory=dict)  # section pk -> report pk
    sources_before: frozenset = frozenset()
    links: dict = field(default_factory=dict)  # m2m field name -> set of pks
    links_before: dict = field(default_factory=dict)
    statements: dict = field(default_factory=dict)  # report pk -> Statement
    statements_before: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)  # report pk (or None) -> FigureValue
    values_before: dict = field(default_factory=dict)
    created: bool = False


def field_state(instance):
    return {f.attname: f.value_from_object(instance) for f in instance._meta.concrete_fields}


def statement_state(statement):
    return (
        statement.description,
        statement.ambiguity,
        statement.given,
        statement.links,
        statement.position,
    )


def value_state(value):
    return tuple(getattr(value, name) for name in Figure.VALUE_FIELDS)


class Merge:
    """One load: every record of every file, in one transaction opened by the caller."""

    def __init__(self, using="default"):
        self.using = using
        self.working = {}
        self._named = {}
        self._reports = {}
        self._report_names = {}
        self._keys = {}
        self.changed = 0

    # Reading what is stored

    def _manager(self, model):
        return model._default_manager.db_manager(self.using)

    def report_named(self, name):
        # Asked once for every record a report speaks of: one query per report is enough.
        if name not in self._report_names:
            report = self._manager(Report).get(name=name)
            self._reports[report.pk] = self._report_names[name] = report
        return self._report_names[name]

    def report_of(self, pk):
        if pk not in self._reports:
            self._reports[pk] = self._manager(Report).get(pk=pk)
        return self._reports[pk]

    def resolve(self, model, reference):
        """The primary key a fixture's reference (a natural key list, or a pk) stands for."""
        if not isinstance(reference, list):
            return reference
        key = (model, tuple(reference))
        if key not in self._keys:
            self._keys[key] = self._manager(model).get_by_natural_key(*reference).pk
        return self._keys[key]

    def working_for(self, model, instance, created=False):
        key = (model, instance.pk)
        if key in self.working:
            return self.working[key]
        work = Working(instance=instance, before=field_state(instance), created=created)
        work.sources = dict(instance.sources.values_list("pk", "report_id"))
        work.sources_before = frozenset(work.sources)
        for m2m in model._meta.many_to_many:
            if m2m.name != "sources":
                pks = set(getattr(instance, m2m.name).values_list("pk", flat=True))
                work.links[m2m.name], work.links_before[m2m.name] = pks, frozenset(pks)
        for statement in instance.statements.all():
            work.statements[statement.report_id] = statement
            work.statements_before[statement.report_id] = statement_state(statement)
        if model is Figure:
            for value in instance.values.all():
                work.values[value.report_id] = value
                work.values_before[value.report_id] = value_state(value)
        self.working[key] = self._named[(model, instance.name)] = work
        return work

    # The load

    def run(self, records):
        """Merge checked ``records`` (``check.Record``) into the database."""
        for label in ("reforms.report", "reforms.section"):
            for record in records:
                if record.label == label:
                    self._put_whole(record)
        named = []
        for sequence, record in enumerate(records):
            if record.label in ("reforms.report", "reforms.section"):
                continue
            speaker = record.speaker
            named.append((self.report_named(speaker) if speaker else None, sequence, record))
        # Earlier reports first, so that whatever order files come in, records come out alike.
        named.sort(key=lambda item: (item[0] is None, item[0] and item[0].order_key, item[1]))
        for _speaker, _sequence, record in named:
            self._create_if_new(record)
        for speaker, _sequence, record in named:
            self._merge(record, speaker)
        for work in self.working.values():
            self._finish(work)
            self._write(work)
        return self.changed

    def _put_whole(self, record):
        """A report or a section: its own file gives it whole, so it is replaced as given."""
        model = record.model
        if model is Section:
            report_pk = self.resolve(Report, record.fields["report"])
            instance = (
                self._manager(Section).filter(report_id=report_pk, key=record.fields["key"]).first()
            )
        else:
            instance = self._manager(model).filter(name=record.fields["name"]).first()
        before = field_state(instance) if instance else None
        instance = instance or model()
        for name, value in record.fields.items():
            model_field = known_field(model, name)
            if model_field is None or name in DERIVED_FIELDS:
                continue
            if model_field.is_relation:
                setattr(
                    instance, model_field.attname, self.resolve(model_field.related_model, value)
                )
            else:
                setattr(instance, model_field.attname, model_field.to_python(value))
        if before is None or field_state(instance) != before:
            instance.save_base(raw=True, using=self.using)
            self.changed += 1
        if model is Report:
            self._reports[instance.pk] = instance

    def _create_if_new(self, record):
        model, name = record.model, record.fields["name"]
        if (model, name) in self._named:
            return
        instance = self._manager(model).filter(name=name).first()
        if instance is not None:
            self.working_for(model, instance)
            return
        instance = model(name=name)
        for field_name, value in record.fields.items():
            model_field = known_field(model, field_name)
            if model_field and model_field.concrete and not model_field.is_relation:
                if field_name not in DERIVED_FIELDS:
                    setattr(instance, model_field.attname, model_field.to_python(value))
        instance.save_base(raw=True, using=self.using)
        self.working_for(model, instance, created=True)

    def _merge(self, record, speaker):
        model = record.model
        work = self._named[(model, record.fields["name"])]
        instance = work.instance
        own = work.statements.get(speaker.pk) if speaker else None
        others = [s for report, s in work.statements.items() if not speaker or report != speaker.pk]
        given_links = {}
        for name, value in record.fields.items():
            model_field = known_field(model, name)
            if model_field is None or name in ("name", *DERIVED_FIELDS):
                continue
            if speaker and name in OWN_WORDS:
                continue
            if name == "sources":
                self._merge_sources(work, speaker, value)
            elif model_field.many_to_many:
                given_links[name] = self._merge_links(
                    work, speaker, own, others, model_field, value
                )
            elif name == "aliases":
                replace = speaker is None and not others
                self._merge_aliases(work, own, others, value, replace=replace)
            elif model is Figure and name in Figure.VALUE_FIELDS:
                continue
            else:
                self._merge_fact(record, work, speaker, own, others, model_field, value)
        if own is not None:
            self._take_back(record, work, speaker, own, others)
        if model is Figure and any(name in record.fields for name in Figure.VALUE_FIELDS):
            self._merge_value(record, work, speaker)
        if speaker is None:
            return
        statement = own or Statement(
            report=speaker,
            content_type=ContentType.objects.db_manager(self.using).get_for_model(model),
            object_id=instance.pk,
        )
        statement.description = record.fields.get("description", "")
        statement.ambiguity = record.fields.get("ambiguity", "")
        statement.given = {k: v for k, v in record.fields.items() if k != "name"}
        statement.links = {name: sorted(pks) for name, pks in given_links.items()}
        # Its place in the report's own file, whatever else came in the same load.
        statement.position = record.index
        work.statements[speaker.pk] = statement

    def _take_back(self, record, work, speaker, own, others):
        """A report's correction that no longer gives a field it gave takes it back: what only
        this report said is emptied (a required field keeps its value), as removing the report
        would, so a corrected file means what it says."""
        model, instance = record.model, work.instance
        for name in own.given:
            if name in record.fields or name in ("name", "sources", *OWN_WORDS, *DERIVED_FIELDS):
                continue
            model_field = known_field(model, name)
            if model_field is None or (model is Figure and name in Figure.VALUE_FIELDS):
                continue
            if name == "aliases":
                self._merge_aliases(work, own, others, "", replace=False)
            elif model_field.many_to_many:
                self._merge_links(work, speaker, own, others, model_field, [])
            elif own.states(name) and not any(s.states(name) for s in others):
                if model_field.null:
                    setattr(instance, model_field.attname, None)
                elif model_field.blank:
                    setattr(instance, model_field.attname, model_field.get_default())

    def _merge_fact(self, record, work, speaker, own, others, model_field, value):
        instance = work.instance
        if model_field.is_relation:
            new = None if value is None else self.resolve(model_field.related_model, value)
        else:
            new = model_field.to_python(value)
        current = getattr(instance, model_field.attname)
        if new == current:
            return
        stating = [s for s in others if s.states(model_field.name)]
        if stating and not is_blank(new):
            self._contradiction(record, speaker, model_field, new, current, stating)
        if stating:
            return
        if speaker is None or own is not None or is_blank(current):
            setattr(instance, model_field.attname, new)
        elif not is_blank(new):
            self._contradiction(record, speaker, model_field, new, current, [])

    def _contradiction(self, record, speaker, model_field, new, current, stating):
        def shown(value):
            if model_field.is_relation and value is not None:
                return self._manager(model_field.related_model).get(pk=value).name
            if value is None:
                return "（空）"
            # A choice as the admin names it, with the code the file holds.
            label = dict(model_field.flatchoices).get(value) if model_field.choices else None
            return f"{label}（{value}）" if label else str(value)

        said_by = "、".join(f"“{self.report_of(s.report_id).name}”" for s in stating)
        earlier = f"报道{said_by}所载" if said_by else "数据库中（后台编辑）"
        this = f"报道“{speaker.name}”写的是" if speaker else "这里写的是"
        raise FixtureProblem(
            f"{record.describe()}：字段 {model_field.name}：{this}“{shown(new)}”，"
            f"与{earlier}的“{shown(current)}”不一致；未载入。若先前的说法有误，请先在后台更正该记录。"
        )

    def _merge_sources(self, work, speaker, value):
        cited = {self.resolve(Section, source): speaker.pk if speaker else None for source in value}
        if speaker is None:
            if cited:
                work.sources = dict(cited)
            return
        work.sources = {
            pk: report for pk, report in work.sources.items() if report != speaker.pk
        } | cited

    def _merge_links(self, work, speaker, own, others, model_field, value):
        new = {self.resolve(model_field.related_model, item) for item in value}
        if speaker is None:
            # A record no report speaks of is replaced as given; one that reports speak of
            # only gains links from a file of no report, never loses theirs.
            work.links[model_field.name] = new | (work.links[model_field.name] if others else set())
            return new
        earlier = set(own.links.get(model_field.name, ())) if own else set()
        kept_by_others = set()
        for statement in others:
            kept_by_others.update(statement.links.get(model_field.name, ()))
        dropped = earlier - kept_by_others - new
        work.links[model_field.name] = (work.links[model_field.name] - dropped) | new
        return new

    def _merge_aliases(self, work, own, others, value, replace):
        current = lines(work.instance.aliases)
        earlier = current if replace else lines(own.given.get("aliases")) if own else []
        said_by_others = {line for s in others for line in lines(s.given.get("aliases"))}
        kept = [line for line in current if line not in earlier or line in said_by_others]
        kept.extend(line for line in lines(value) if line not in kept)
        work.instance.aliases = "\n".join(kept)

    def _merge_value(self, record, work, speaker):
        key = speaker.pk if speaker else None
        value = work.values.get(key) or FigureValue(figure=work.instance, report=speaker)
        for name in Figure.VALUE_FIELDS:
            model_field = FigureValue._meta.get_field(name)
            given = record.fields.get(name, FIGURE_VALUE_DEFAULTS.get(name))
            setattr(value, name, model_field.to_python(given))
        # The values of one measure are in one unit, or the series and "the latest value"
        # would compare 32所 with 0.4万所.
        for other_key, other in work.values.items():
            if other_key != key and other.unit and value.unit and other.unit != value.unit:
                said_by = self.report_of(other.report_id).name if other.report_id else "后台编辑"
                this = f"报道“{speaker.name}”" if speaker else "这里"
                raise FixtureProblem(
                    f"{record.describe()}：字段 unit：{this}给出的数值单位是“{value.unit}”，"
                    f"与“{said_by}”所给数值的单位“{other.unit}”不一致；同一指标的数值须用同一"
                    "单位，未载入。若是另一项指标，请另起名称。"
                )
        work.values[key] = value

    def _finish(self, work):
        """What follows from all the reports together: the record's own words are the
        earliest report's, a figure shows its latest value."""
        instance = work.instance
        if work.statements:
            first = primary_statement(work.statements.values(), self.report_of)
            instance.description, instance.ambiguity = first.description, first.ambiguity
        if isinstance(instance, Figure) and work.values:
            latest = max(work.values.values(), key=FigureValue.time_key)
            for name in Figure.VALUE_FIELDS:
                setattr(instance, name, getattr(latest, name))
            instance.value_count = len(work.values)

    def _write(self, work):
        instance = work.instance
        statements = [
            s
            for report, s in work.statements.items()
            if s.pk is None or work.statements_before.get(report) != statement_state(s)
        ]
        values = [
            v
            for report, v in work.values.items()
            if v.pk is None or work.values_before.get(report) != value_state(v)
        ]
        links = [name for name, pks in work.links.items() if work.links_before[name] != pks]
        sources_changed = frozenset(work.sources) != work.sources_before
        fields_changed = field_state(instance) != work.before
        if not (work.created or fields_changed or sources_changed or links or statements or values):
            return
        # One save per changed record, so the history holds one version of it per load.
        instance.save_base(raw=True, using=self.using)
        self.changed += 1
        if sources_changed:
            instance.sources.set(work.sources)
        for name in links:
            getattr(instance, name).set(work.links[name])
        for statement in statements:
            statement.object_id = instance.pk
            statement.save(using=self.using)
        for value in values:
            value.save(using=self.using)
