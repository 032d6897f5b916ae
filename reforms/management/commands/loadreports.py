"""Load the report fixtures that are new or changed since they were last loaded.

``loaddata`` overwrites every row a fixture names, so running it at each start would undo the
corrections editors make in the admin. This loads a file only when its bytes differ from the
version recorded in ``FixtureLoad``; all changed files go in one ``loaddata`` call, so records
in one may refer to records in another.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from reforms import versioning
from reforms.models import FixtureLoad


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Command(BaseCommand):
    help = "载入新增或改动过的报道数据文件；未改动的文件不再重复载入，以免覆盖后台的更正。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="数据文件；默认是 fixtures/ 下的全部 *.json。")
        parser.add_argument(
            "--force", action="store_true", help="不论是否改动，全部重新载入（会覆盖后台的更正）。"
        )

    def handle(self, *args, paths, force, **options):
        files = [Path(p) for p in paths] or sorted(Path(settings.FIXTURE_DIRS[0]).glob("*.json"))
        versions = {path: digest(path) for path in files}
        loaded = dict(FixtureLoad.objects.values_list("name", "sha256"))
        changed = [p for p in files if force or loaded.get(p.name) != versions[p]]
        if not changed:
            self.stdout.write(f"{len(files)} 个数据文件均未改动，无需载入。")
            return
        with transaction.atomic():
            call_command("loaddata", *map(str, changed), verbosity=options["verbosity"])
            for path in changed:
                FixtureLoad.objects.update_or_create(
                    name=path.name, defaults={"sha256": versions[path]}
                )
        versioning.refresh_statistics()
        unchanged = len(files) - len(changed)
        self.stdout.write(f"已载入 {len(changed)} 个数据文件，{unchanged} 个未改动而跳过。")
