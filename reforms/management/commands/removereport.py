"""Take a report out of the database (see ``reforms.loading.removal``)."""

from django.core.management.base import BaseCommand, CommandError

from reforms.loading import FixtureProblem, removal
from reforms.models import Report


class Command(BaseCommand):
    help = "移除一篇报道：它的章节、说法、数值、出处、只由它建立的关联和只有它提到的记录。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="报道名称")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要移除的内容。")
        parser.add_argument("--noinput", "--no-input", action="store_true", help="不再询问。")
        parser.add_argument(
            "--keep-linked",
            action="store_true",
            help="只有这篇报道提到、但被留下的记录关联的记录予以保留，而不是拒绝移除。",
        )

    def handle(self, *args, name, dry_run, noinput, keep_linked, **options):
        report = Report.objects.genuine().filter(name=name).first()
        if report is None:
            known = "、".join(
                f"“{n}”" for n in Report.objects.genuine().values_list("name", flat=True)
            )
            raise CommandError(f"没有名为“{name}”的报道。已有的报道：{known or '（无）'}")
        plan = removal.plan(report)
        for line in plan.summary():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("（试运行，什么也没有改动。）")
            return
        if not noinput:
            answer = input(f"确定移除报道“{name}”吗？输入 yes 确认：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，什么也没有改动。")
        try:
            removal.remove(plan, keep_linked=keep_linked)
        except FixtureProblem as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(f"已移除报道“{name}”。")
