"""``loaddata`` that checks every fixture first and fails with one clear line.

The stock command already loads inside one transaction, so a failure rolls everything back;
what it lacks is a readable answer. JSON fixtures are read and checked in full before anything
is written (see ``reforms.fixture_check``); anything still raised while saving is reported as a
``CommandError`` naming the fixture, never as a traceback. Whatever the format, and from
standard input too, only the report's records are ever saved.
"""

import os

from django.core import serializers
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.management.utils import parse_apps_and_model_labels

from reforms.fixture_check import FixtureChecker, FixtureProblem, not_loadable
from reforms.history import versions_of_loaded_records


def shown_path(path):
    """A path as the editor typed it: relative inside the project, absolute elsewhere."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class Command(loaddata.Command):
    help = "载入数据文件（fixture）；先整体检查，有错则一条不写并指明文件、记录和问题。"

    def handle(self, *fixture_labels, **options):
        # find_fixtures() reads these, and the stock handle() sets them only as it starts loading.
        self.using = options["database"]
        self.app_label = options["app_label"]
        self.verbosity = options["verbosity"]
        self.format = options["format"]
        self.excluded_models, self.excluded_apps = parse_apps_and_model_labels(options["exclude"])
        self.serialization_formats = serializers.get_public_serializer_formats()
        try:
            self.check_fixtures(fixture_labels, ignore_unknown_fields=options["ignore"])
            super().handle(*fixture_labels, **options)
        except FixtureProblem as problem:
            raise CommandError(f"未载入任何数据：{problem}") from None
        except CommandError:
            raise
        except Exception as error:  # every failure must reach the editor as one line
            raise CommandError(f"未载入任何数据：{error}") from None

    def loaddata(self, fixture_labels):
        # Runs inside the stock command's transaction: the versions are kept with the load, or
        # go with it when it fails.
        names = "、".join(os.path.basename(label) for label in fixture_labels)
        with versions_of_loaded_records(f"载入 {names}"):
            super().loaddata(fixture_labels)

    def load_label(self, fixture_label):
        self.loading_label, self.loading_index = fixture_label, 0
        super().load_label(fixture_label)

    def save_obj(self, obj):
        # The JSON check has refused other models already; this is the one gate every format
        # and standard input pass through. Raised before the record is saved, inside the
        # load's transaction, so nothing of the load is kept.
        self.loading_index += 1
        refused = not_loadable(obj.object._meta.label_lower)
        if refused:
            where = "标准输入" if self.loading_label == loaddata.READ_STDIN else self.loading_label
            raise CommandError(f"未载入任何数据：{where}：第{self.loading_index}条记录：{refused}")
        return super().save_obj(obj)

    def check_fixtures(self, fixture_labels, ignore_unknown_fields):
        checker = FixtureChecker(using=self.using, ignore_unknown_fields=ignore_unknown_fields)
        for label in fixture_labels:
            for path, _dir, _name in self.find_fixtures(label):
                if path == loaddata.READ_STDIN:
                    continue
                _, serialization, compression = self.parse_name(os.path.basename(path))
                if serialization != "json":
                    continue
                open_method, mode = self.compression_formats[compression]
                with open_method(path, mode) as fixture:
                    checker.add_file(shown_path(path), fixture.read())
        checker.check()
