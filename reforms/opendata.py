"""The dataset as a whole, for reuse: what it is, and downloads that load back in.

The JSON download is exactly what ``manage.py dumpreports`` writes (natural keys, no derived
fields, no synthetic records), so ``manage.py loaddata`` takes it as it is. The CSV download is
one file per collection, with the same columns as the collection's own list page.
"""

import io
import json
import zipfile

from django.core import serializers
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .collections import COLLECTIONS
from .exports import PortalExport
from .management.commands.dumpreports import fixture_records, render, without_derived
from .models import Milestone, Report

DATASET_NAME = _("南岸区教育综合改革资料集")
DATASET_SLUG = "nanan-education-reform"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = _("知识共享 署名 4.0 国际（CC BY 4.0）")
PLACE = _("重庆市南岸区")
SITE_NAME = _("南岸教育改革门户")


def fixture_json():
    return render(fixture_records()).encode()


def csv_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for collection in COLLECTIONS:
            records = collection.model.objects.genuine().for_listing().in_pinyin_order()
            table = collection.table_class(records)
            text = PortalExport("csv", table).export()
            archive.writestr(f"{collection.slug}.csv", text.encode("utf-8"))
    return buffer.getvalue()


def counts():
    return [(collection, collection.model.objects.genuine().count()) for collection in COLLECTIONS]


def years_covered():
    """The first and last years of the milestones, or None without any."""
    span = Milestone.objects.genuine().aggregate(first=Min("date"), last=Max("date"))
    if not span["first"]:
        return None
    return span["first"].year, span["last"].year


def record_data(record, request):
    """One record as its fixture entry (natural keys, no derived fields) plus its address."""
    [entry] = serializers.serialize(
        "python", [record], use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    return {
        "model": entry["model"],
        "url": request.build_absolute_uri(record.get_absolute_url()),
        "fields": without_derived(entry["fields"]),
    }


def _present(mapping):
    return {key: value for key, value in mapping.items() if value not in (None, "")}


def json_ld(data):
    """JSON for a <script type="application/ld+json"> block: nothing in it can end the block."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def metadata(request, changed_at, years):
    """schema.org Dataset, with the DCAT-style fields open-data catalogues harvest; the data's
    last change and the (first, last) years of the milestones come from the caller."""
    reports = Report.objects.genuine().in_pinyin_order()
    absolute = request.build_absolute_uri
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
            "identifier": absolute(reverse("data")),
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
