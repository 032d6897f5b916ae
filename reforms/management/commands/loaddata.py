"""``loaddata`` for report fixtures: every file checked first, merged by ``reforms.loading``.

A record repeated by another report adds to the stored one instead of replacing it, a load that
changes nothing writes nothing, and any problem is one line naming the file, the record and the
field, with nothing written. Fixtures come from outside, so only JSON holding the portal's own
record models is accepted, from a file or from standard input: any other format is refused
whole, and so is a record of any other model (see ``reforms.loading.check``).
"""

import os
import sys

from django.core import serializers
from django.core.management.base import CommandError
from django.core.management.commands import loaddata

from reforms import loading
from reforms.drafting.store import stored_for_review


def shown_path(path):
    """A path as the editor typed it: relative inside the project, absolute elsewhere."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class Command(loaddata.Command):
    help = "载入报道数据文件（JSON）；先整体检查，有错则一条不写并指明文件、记录和问题。"

    def handle(self, *fixture_labels, **options):
        # find_fixtures() reads these, which the stock handle() would set.
        self.using = options["database"]
        self.app_label = options["app_label"]
        self.verbosity = options["verbosity"]
        self.format = options["format"]
        self.excluded_models, self.excluded_apps = set(), set()
        # Every format is recognised, so that a non-JSON file is refused in words of our own.
        self.serialization_formats = serializers.get_public_serializer_formats()
        try:
            files = list(self.fixture_files(fixture_labels))
            drafts = []
            changed = loading.load(
                files, self.using, ignore_unknown_fields=options["ignore"], drafts_stored=drafts
            )
        except loading.FixtureProblem as problem:
            raise CommandError(f"未载入任何数据：{problem}") from None
        except CommandError as error:
            raise CommandError(f"未载入任何数据：{error}") from None
        if self.verbosity >= 1:
            # A draft changes no record until it is published: "0 条记录有变化" would read as
            # if its file had been loaded to no effect.
            for draft in drafts:
                self.stdout.write(stored_for_review(draft))
            if len(files) > len(drafts):
                self.stdout.write(
                    f"载入 {len(files) - len(drafts)} 个数据文件，{changed} 条记录有变化。"
                )

    def fixture_files(self, fixture_labels):
        if not fixture_labels:
            raise CommandError("请指明要载入的数据文件。")
        for label in fixture_labels:
            if label == loaddata.READ_STDIN:
                if self.format != "json":
                    raise CommandError("从标准输入载入时须写 --format=json。")
                stdin = getattr(sys.stdin, "buffer", sys.stdin)
                text = stdin.read()
                yield "标准输入", text.encode() if isinstance(text, str) else text
                continue
            if os.sep in label and not os.path.exists(label):
                raise CommandError(f"{label}：找不到这个文件。")
            for path, _dir, _name in self.find_fixtures(label):
                _, serialization, compression = self.parse_name(os.path.basename(path))
                if serialization != "json":
                    raise CommandError(f"{shown_path(path)}：只能载入 JSON 格式的数据文件。")
                open_method, mode = self.compression_formats[compression]
                with open_method(path, mode) as fixture:
                    yield shown_path(path), fixture.read()
