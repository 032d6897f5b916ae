"""``draftreport``: draft a report's fixture from its plain text, for an editor to review.

The reading is done by ``reforms.drafting``; this checks the input, then writes the draft to a
file (``-o``) or stores it unpublished (``--load``). Every refusal is one line, with nothing
written.
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError

from reforms.drafting import DraftProblem, draft_text
from reforms.drafting.store import refuse_taken_name, store_draft

# A whole newspaper page is some ten thousand characters; a text far longer is no report.
MAX_BYTES = 200_000


class Command(BaseCommand):
    help = "由报道全文（UTF-8 纯文本）草拟数据文件，供编辑在后台审阅。"

    def add_arguments(self, parser):
        parser.add_argument("text_file")
        parser.add_argument("--date", required=True, help="报道日期：YYYY、YYYY-MM 或 YYYY-MM-DD")
        parser.add_argument("--name", help="报道标题（不写则取第一行）")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("-o", "--output", help="把草稿写成数据文件")
        target.add_argument("--load", action="store_true", help="把草稿存入数据库，待审、不公开")

    def handle(self, *args, text_file, date, name, output, load, **options):
        try:
            draft = draft_text(read_text(text_file), date, name)
            refuse_taken_name(draft.report["name"])
        except DraftProblem as problem:
            raise CommandError(f"未草拟：{text_file}：{problem}") from None
        source = os.path.basename(text_file)
        objects = draft.fixture(source_file=source)
        if load:
            store_draft(objects, text_file)
            where = "已存为待审草稿，请在后台“报道草稿”中审阅"
        else:
            text = json.dumps(objects, ensure_ascii=False, indent=2) + "\n"
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as error:
                raise CommandError(
                    f"未草拟：{output}：写不进这个文件（{error.strerror}）。"
                ) from None
            where = f"已写入 {output}"
        self.stdout.write(
            f"草拟“{draft.report['name']}”：{len(draft.candidates)} 条候选记录，{where}。"
        )


def read_text(path):
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise DraftProblem(
                f"文件有 {size // 1000} KB，超过 {MAX_BYTES // 1000} KB，不像一篇报道。"
            )
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise DraftProblem(f"读不到这个文件（{error.strerror}）。") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DraftProblem(f"不是 UTF-8 编码的文本（第{error.start + 1}字节）。") from None
