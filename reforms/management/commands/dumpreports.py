"""Write the reports' records back to a fixture, in the form editors review and commit.

``dumpdata`` would also write the derived pinyin keys and every slug, so a write-back after a
one-word correction in the admin would show thousands of changed lines. This leaves out what
loading derives again, keeps a slug only where it differs from the one the name gives (an
editor set it, or the name changed after links were published), and leaves out synthetic
records.
"""

import json

from django.core import serializers
from django.core.management.base import BaseCommand

from reforms import pinyin
from reforms.models import NAMED_MODELS, Report, Section

DERIVED_FIELDS = ("sort_key", "pinyin", "initials", "is_synthetic")
# The order a reader of the file expects, and the order loading needs: sources first.
MODEL_ORDER = (Report, Section, *(model for model in NAMED_MODELS if model is not Report))


def without_derived(fields):
    """A record's serialized fields without those loading derives again."""
    return {name: value for name, value in fields.items() if name not in DERIVED_FIELDS}


def genuine(model):
    if model is Section:
        return Section.objects.filter(report__is_synthetic=False).order_by("pk")
    return model.objects.genuine().order_by("pk")


def fixture_records():
    for model in MODEL_ORDER:
        for record in serializers.serialize(
            "python",
            genuine(model),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        ):
            fields = without_derived(record["fields"])
            if "slug" in fields and fields["slug"] == pinyin.pinyin_slug(fields["name"]):
                del fields["slug"]
            yield {"model": record["model"], "fields": fields}


def render(records):
    return json.dumps(list(records), ensure_ascii=False, indent=2, default=str) + "\n"


class Command(BaseCommand):
    help = "把数据库中的报道记录写回数据文件（不含合成数据和可自动生成的字段）。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="写入的文件；省略则输出到屏幕。")

    def handle(self, *args, output, **options):
        text = render(fixture_records())
        if output:
            with open(output, "w", encoding="utf-8") as out:
                out.write(text)
        else:
            self.stdout.write(text, ending="")
