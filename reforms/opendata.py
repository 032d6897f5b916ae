"""The dataset as a whole, for reuse: what it is, and downloads that load back in.

The JSON download is exactly what ``manage.py dumpreports`` writes (natural keys, no derived
fields, no synthetic records), so ``manage.py loaddata`` takes it as it is. The CSV download is
one file per collection holding the same fields, plus each record's address; its column names
are the field names, so it is the same file whichever language the page is read in.
"""

import csv
import io
import json
import zipfile

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .exports import neutralise
from .loading.dump import all_reports, render, without_derived
from .models import Figure, FigureValue, Milestone, Report, Statement
from .registry import COLLECTIONS

DATASET_NAME = _("南岸区教育综合改革资料集")
DATASET_SLUG = "nanan-education-reform"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = _("知识共享 署名 4.0 国际（CC BY 4.0）")
PLACE = _("重庆市南岸区")
# The earliest date a zip file can hold, for an archive of data that has never changed.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
SITE_NAME = _("南岸教育改革门户")


def fixture_json():
    return render(all_reports()).encode()


def csv_text(value):
    """A serialized field as one CSV cell: dates in ISO form, a natural key's parts joined
    with " / ", the records of a many-to-many field with "; ".

    The whole cell is checked for a formula, names of linked records included: a record
    named "=HYPERLINK(…)" would otherwise run in the cells of every record linking to it.
    """
    return neutralise(_joined(value))


def _joined(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        if any(isinstance(item, (list, tuple)) for item in value):
            return "; ".join(_joined(item) for item in value)
        return " / ".join(str(part) for part in value)
    return str(value)


def csv_zip(request, changed_at=None):
    """One UTF-8 CSV per collection (with a byte-order mark, so Excel reads it right).

    Record addresses are those of the site's own language, and every file is dated when the
    data last changed, not when the archive was made: the same data gives the same bytes in
    either language and from every worker, so its ETag holds across them."""
    stamp = timezone.localtime(changed_at).timetuple()[:6] if changed_at else ZIP_EPOCH
    buffer = io.BytesIO()
    with (
        translation.override(settings.LANGUAGE_CODE),
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for collection in COLLECTIONS:
            records = list(collection.model.objects.genuine().in_pinyin_order())
            entries = serializers.serialize(
                "python", records, use_natural_foreign_keys=True, use_natural_primary_keys=True
            )
            text = io.StringIO()
            writer = csv.writer(text)
            columns = None
            for record, entry in zip(records, entries, strict=True):
                fields = without_derived(entry["fields"])
                if columns is None:
                    columns = ["name", "url", *(name for name in fields if name != "name")]
                    writer.writerow(columns)
                fields["url"] = request.build_absolute_uri(record.get_absolute_url())
                writer.writerow([csv_text(fields[column]) for column in columns])
            _write_csv(archive, f"{collection.slug}.csv", stamp, text.getvalue())
        _write_csv(archive, "statements.csv", stamp, _statements_csv(request))
        _write_csv(archive, "figure-values.csv", stamp, _figure_values_csv(request))
    return buffer.getvalue()


def _write_csv(archive, name, stamp, text):
    entry = zipfile.ZipInfo(name, date_time=stamp)
    entry.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(entry, "\ufeff" + text)


def _rows_csv(columns, rows):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    writer.writerows([csv_text(row[column]) for column in columns] for row in rows)
    return text.getvalue()


def _statements_csv(request):
    """What each report says of each record: one row per record and report, collections in
    navigation order, records in pinyin order, reports in publication order."""
    statements = {}
    for statement in Statement.objects.select_related("report").in_report_order():
        key = (statement.content_type_id, statement.object_id)
        statements.setdefault(key, []).append(statement)
    kinds = {}
    rows = []
    for collection in COLLECTIONS:
        if not hasattr(collection.model, "sources"):
            continue
        kind = kinds.setdefault(collection.model, _content_type_id(collection.model))
        for record in collection.model.objects.genuine().in_pinyin_order():
            for statement in statements.get((kind, record.pk), ()):
                rows.append(
                    {
                        "collection": collection.slug,
                        "name": record.name,
                        "url": request.build_absolute_uri(record.get_absolute_url()),
                        **_report_of(statement.report, request),
                        "description": statement.description,
                        "ambiguity": statement.ambiguity,
                    }
                )
    columns = ["collection", "name", "url", "report", "report_url", "description", "ambiguity"]
    return _rows_csv(columns, rows)


def _content_type_id(model):
    return ContentType.objects.get_for_model(model).pk


def _figure_values_csv(request):
    """Every report's value of every figure, figures in pinyin order, values in time order."""
    values = FigureValue.objects.select_related("report")
    series = {}
    for value in values:
        series.setdefault(value.figure_id, []).append(value)
    rows = []
    for figure in Figure.objects.genuine().in_pinyin_order():
        for value in sorted(series.get(figure.pk, ()), key=FigureValue.time_key):
            rows.append(
                {
                    "name": figure.name,
                    "url": request.build_absolute_uri(figure.get_absolute_url()),
                    **_value_data(value, request),
                }
            )
    columns = ["name", "url", "report", "report_url", *Figure.VALUE_FIELDS]
    return _rows_csv(columns, rows)


def counts():
    return [(collection, collection.model.objects.genuine().count()) for collection in COLLECTIONS]


def years_covered():
    """The first and last years of the milestones, or None without any."""
    span = Milestone.objects.genuine().aggregate(first=Min("date"), last=Max("date"))
    if not span["first"]:
        return None
    return span["first"].year, span["last"].year


def record_data(record, request):
    """One record as its fixture entry (natural keys, no derived fields) plus its address;
    with what each report says of it, and for a figure every report's value."""
    [entry] = serializers.serialize(
        "python", [record], use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    data = {
        "model": entry["model"],
        "url": request.build_absolute_uri(record.get_absolute_url()),
        "fields": without_derived(entry["fields"]),
    }
    if hasattr(record, "sources"):
        data["statements"] = [
            {
                **_report_of(statement.report, request),
                "description": statement.description,
                "ambiguity": statement.ambiguity,
            }
            for statement in record.statements.all()
        ]
    if isinstance(record, Figure):
        data["values"] = [_value_data(value, request) for value in record.series()]
    return data


def _report_of(report, request):
    """Who says so: the report's name and address, or nothing for an editor's entry."""
    if report is None:
        return {"report": None, "report_url": None}
    return {
        "report": report.name,
        "report_url": request.build_absolute_uri(report.get_absolute_url()),
    }


def _value_data(value, request):
    return {
        **_report_of(value.report, request),
        "value": value.value_display,
        "unit": value.unit,
        "qualifier": value.qualifier,
        "as_written": value.as_written,
        # ISO 8601 at the value's own precision (2023-06), with the stored fields beside it.
        "date": value.date_iso or None,
        "date_precision": value.date_precision,
        "date_inferred": value.date_inferred,
        "date_inference": value.date_inference,
    }


def record_citations(record, statements, request, values=()):
    """schema.org for a record's page: the page about the record, citing each report that
    speaks of it, in report order, and what each report says of it as a ``Claim`` that
    appears in that report: its words on the record and, for a figure, each value it gives.
    """
    absolute = request.build_absolute_uri

    def article(report):
        return _present(
            {
                "@type": "NewsArticle",
                "headline": report.name,
                "datePublished": report.date_iso,
                "url": absolute(report.get_absolute_url()),
            }
        )

    claims = [
        {"@type": "Claim", "text": statement.description, "appearance": article(statement.report)}
        for statement in statements
        if statement.description
    ]
    claims += [
        _present(
            {
                "@type": "Claim",
                "text": f"{record.name}：{value.as_written}",
                # When the value held, at its own precision (ISO 8601).
                "temporalCoverage": value.date_iso or None,
                "appearance": article(value.report),
            }
        )
        for value in values
        if value.report is not None
    ]
    return _present(
        {
            "@context": "https://schema.org",
            "@type": "WebPage",
            "url": absolute(record.get_absolute_url()),
            "name": record.name,
            "inLanguage": "zh-Hans",
            "about": _present({"@type": "Thing", "name": record.name, "subjectOf": claims or None}),
            "citation": [article(statement.report) for statement in statements],
        }
    )


def _present(mapping):
    return {key: value for key, value in mapping.items() if value not in (None, "")}


def json_ld(data):
    """JSON for a <script type="application/ld+json"> block: nothing in it can end the block."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def metadata(request, changed_at, years):
    """schema.org Dataset, whose terms map one to one onto DCAT's (dcat:distribution with
    downloadURL and mediaType, dct:license, dct:spatial, dct:temporal, dct:modified, dct:creator,
    dct:identifier), as open-data catalogues harvest them; the data's last change and the
    (first, last) years of the milestones come from the caller."""
    reports = Report.objects.genuine().in_pinyin_order()
    absolute = request.build_absolute_uri
    with translation.override(settings.LANGUAGE_CODE):
        canonical_data_url = absolute(reverse("data"))
    home = absolute(reverse("home"))
    return _present(
        {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": str(DATASET_NAME),
            "description": gettext(
                "把一篇关于重庆市南岸区教育综合改革的报道整理成的结构化数据：实验区、改革举措、"
                "学校、荣誉、合作机构、数据、口号与大事记，每条记录注明出自报道的哪一部分。"
            ),
            "url": absolute(reverse("data")),
            # One dataset, whichever language its page is read in.
            "identifier": canonical_data_url,
            # The records are Chinese whichever language this page is in.
            "inLanguage": "zh-Hans",
            "license": LICENSE_URL,
            "isAccessibleForFree": True,
            "keywords": [
                gettext("教育综合改革"),
                gettext("南岸区"),
                gettext("重庆"),
                gettext("实验区"),
                gettext("开放数据"),
            ],
            "creator": {"@type": "Organization", "name": str(SITE_NAME), "url": home},
            "publisher": {"@type": "Organization", "name": str(SITE_NAME), "url": home},
            "spatialCoverage": {"@type": "Place", "name": str(PLACE)},
            # An ISO 8601 interval of years: 2014/2022.
            "temporalCoverage": "/".join(map(str, years or ())),
            "dateModified": changed_at.isoformat() if changed_at else None,
            "isBasedOn": [
                _present(
                    {
                        "@type": "NewsArticle",
                        "headline": report.name,
                        "alternativeHeadline": report.subtitle or None,
                        "author": report.authors or None,
                        "publisher": report.publisher or None,
                        "datePublished": report.date_iso,
                        "url": absolute(report.get_absolute_url()),
                    }
                )
                for report in reports
            ],
            "distribution": [
                {
                    "@type": "DataDownload",
                    "name": gettext("完整数据（JSON，可用 manage.py loaddata 载入）"),
                    "encodingFormat": "application/json",
                    "contentUrl": absolute(reverse("data-json")),
                },
                {
                    "@type": "DataDownload",
                    "name": gettext("各栏目表格（CSV，UTF-8，每栏目一个文件，ZIP 打包）"),
                    "encodingFormat": "application/zip",
                    "contentUrl": absolute(reverse("data-csv")),
                },
            ],
        }
    )
