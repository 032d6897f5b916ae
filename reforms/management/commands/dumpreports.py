"""Write the reports back to fixtures, one file per report (see ``reforms.loading.dump``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reforms.loading import dump
from reforms.models import Report


class Command(BaseCommand):
    help = "把数据库中的报道写回数据文件，每篇报道一个文件（不含合成数据和可自动生成的字段）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help="写入的文件（只有一篇报道，或用 --report 选一篇）。"
        )
        parser.add_argument("--report", help="只写这篇报道（报道名称）。")
        parser.add_argument("--dir", help="每篇报道写成这个目录下的一个文件。")

    def handle(self, *args, output, report, dir, **options):
        reports = list(dump.genuine_reports())
        if report:
            reports = [r for r in reports if r.name == report]
            if not reports:
                known = "、".join(Report.objects.genuine().values_list("name", flat=True))
                raise CommandError(f"没有名为“{report}”的报道。已有的报道：{known or '（无）'}")
        target = Path(dir) if dir else Path(output).parent if output else None
        if target is not None and not target.is_dir():
            raise CommandError(f"{target}：没有这个目录。")
        if dir:
            for each in reports:
                path = Path(dir) / dump.fixture_name(each)
                path.write_text(dump.render(dump.report_records(each)), encoding="utf-8")
                self.stdout.write(f"已写入 {path}")
        elif output:
            if len(reports) != 1:
                raise CommandError(
                    f"数据库中有 {len(reports)} 篇报道："
                    "用 --report 选一篇，或用 --dir 每篇各写一个文件。"
                )
            Path(output).write_text(dump.render(dump.report_records(reports[0])), encoding="utf-8")
        else:
            records = (entry for each in reports for entry in dump.report_records(each))
            self.stdout.write(dump.render(records), ending="")
        left_out = list(dump.unattributed())
        if left_out:
            self.stderr.write(
                f"{len(left_out)} 条记录没有任何报道提到，未写入：{'、'.join(left_out[:20])}"
            )
