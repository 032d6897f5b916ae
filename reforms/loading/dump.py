"""Write each report back as its own fixture, in the form editors review and commit.

``dumpdata`` would also write the derived pinyin keys and every slug, so a write-back after a
one-word correction in the admin would show thousands of changed lines. This leaves out what
loading derives again, keeps a slug only where it differs from the one the name gives (an
editor set it, or the name changed after links were published), and leaves out synthetic
records.

A report's fixture holds what that report says: the fields it gave, its own words, its
citations, its links and its number for each figure. The earliest report speaking of a record
also carries what editors added in the admin to no report in particular, so that a
correction made there is written back where the record was first defined.
"""

import json
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core import serializers

from .. import pinyin
from ..models import FIXTURE_MODELS, Figure, Report
from .merge import is_blank, lines, primary_statement

DERIVED_FIELDS = ("sort_key", "pinyin", "initials", "is_synthetic", "value_count")
# The records a report names, after its report and sections, in the order of FIXTURE_MODELS:
# the order a reader of the file expects and loading needs.
RECORD_MODELS = FIXTURE_MODELS[2:]


def without_derived(fields):
    """A record's serialized fields without those loading derives again."""
    return {name: value for name, value in fields.items() if name not in DERIVED_FIELDS}


def serialized(records):
    """Each record's fields in fixture form (natural keys), without derived fields or a slug
    the name would give anyway."""
    for record in serializers.serialize(
        "python", records, use_natural_foreign_keys=True, use_natural_primary_keys=True
    ):
        fields = without_derived(record["fields"])
        if "slug" in fields and fields["slug"] == pinyin.pinyin_slug(fields["name"]):
            del fields["slug"]
        yield record["model"], fields


def genuine_reports():
    return Report.objects.genuine().order_by("pk")


def fixture_name(report):
    """The file a report is written to: named after its source text where it has one."""
    if report.source_file:
        return f"{Path(report.source_file).stem}.json"
    return f"{report.slug}.json"


def report_records(report):
    """The fixture entries of one report: the report, its sections, then each record it
    speaks of, in the order the report's file gave them."""
    for model, fields in serialized([report]):
        yield {"model": model, "fields": fields}
    for model, fields in serialized(report.sections.order_by("pk")):
        yield {"model": model, "fields": fields}
    reports = {}

    def report_of(pk):
        if pk not in reports:
            reports[pk] = Report.objects.get(pk=pk)
        return reports[pk]

    for model in RECORD_MODELS:
        content_type = ContentType.objects.get_for_model(model)
        spoken = dict(
            report.statements.filter(content_type=content_type).values_list("object_id", "position")
        )
        records = sorted(
            model.objects.genuine()
            .filter(pk__in=list(spoken))
            .prefetch_related("statements", *(f.name for f in model._meta.many_to_many)),
            key=lambda record: (spoken[record.pk], record.pk),
        )
        values = {}
        if model is Figure:
            values = {v.figure_id: v for v in report.figure_values.filter(figure__in=records)}
        for record, (label, fields) in zip(records, serialized(records), strict=True):
            statements = {s.report_id: s for s in record.statements.all()}
            yield {
                "model": label,
                "fields": said_by(record, fields, report, statements, values, report_of),
            }


def said_by(record, fields, report, statements, values, report_of):
    """The fields of ``record`` as ``report`` says them."""
    statement = statements[report.pk]
    first = primary_statement(statements.values(), report_of).report_id == report.pk
    others = [s for pk, s in statements.items() if pk != report.pk]
    out = {}
    for name, value in fields.items():
        if name in ("name", "slug"):
            if name == "name" or first:
                out[name] = value
            continue
        given = name in statement.given
        if name in ("description", "ambiguity"):
            if given or (first and getattr(statement, name)):
                out[name] = getattr(statement, name)
        elif name == "sources":
            if given or value:
                out[name] = [source for source in value if source[0] == report.name]
        elif name in [f.name for f in record._meta.many_to_many]:
            linked = links_said(record, name, statement, others, first)
            if given or linked:
                out[name] = linked
        elif isinstance(record, Figure) and name in Figure.VALUE_FIELDS:
            if record.pk in values and (given or not is_blank(getattr(values[record.pk], name))):
                out[name] = getattr(values[record.pk], name)
        elif name == "aliases":
            if given or (first and value):
                out[name] = aliases_said(value, statement, others, first)
        elif given:
            # The first report also speaks for editors, never for what another report filled.
            stated_elsewhere = any(s.states(name) for s in others)
            own = statement.states(name) or (first and not stated_elsewhere)
            out[name] = value if own else statement.given[name]
        elif first and not is_blank(value) and not any(s.states(name) for s in others):
            out[name] = value
    return out


def links_said(record, name, statement, others, first):
    """The records ``statement``'s report links under ``name``, as natural keys; the first
    report also carries links that no report made (an editor's)."""
    own = set(statement.links.get(name, ()))
    by_others = {pk for s in others for pk in s.links.get(name, ())}
    return [
        list(other.natural_key())
        for other in getattr(record, name).all()
        if other.pk in own or (first and other.pk not in by_others)
    ]


def aliases_said(value, statement, others, first):
    own = lines(statement.given.get("aliases"))
    by_others = {line for s in others for line in lines(s.given.get("aliases"))}
    kept = [line for line in lines(value) if line in own or (first and line not in by_others)]
    return "\n".join(kept)


def render(records):
    return json.dumps(list(records), ensure_ascii=False, indent=2, default=str) + "\n"


def all_reports():
    """Every report's entries one after another: a fixture that loads into an empty database
    as the same records."""
    for report in genuine_reports():
        yield from report_records(report)


def unattributed():
    """Names of genuine records that no report speaks of: no report's fixture holds them."""
    for model in RECORD_MODELS:
        yield from (
            model.objects.genuine().filter(statements__isnull=True).values_list("name", flat=True)
        )
