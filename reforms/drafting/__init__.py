"""Drafting a report's fixture from its plain text, so that editors review instead of type.

``draft_text`` reads the text (``layout``), finds candidate records (``names``, ``figures``,
``dates``, put together by ``draft``) and refers names already stored to their records;
``store`` keeps a draft unpublished in the database and publishes it through
``reforms.loading``; ``evaluate`` compares a draft with a hand-made fixture.
"""

from .dates import parse_report_date
from .draft import draft_report
from .layout import LayoutProblem

__all__ = ["DraftProblem", "draft_text"]


class DraftProblem(ValueError):
    pass


def draft_text(text, date, name=None, known=None):
    """The draft of the report in ``text``, published on ``date`` (``YYYY[-MM[-DD]]``).

    Names already stored are looked up in the database unless ``known`` is given. Raises
    ``DraftProblem`` with one line for an empty text, an unparseable date or no title.
    """
    if not text.strip():
        raise DraftProblem("文本是空的。")
    try:
        report_date, precision = parse_report_date(date)
    except ValueError:
        raise DraftProblem(
            f"--date “{date}” 不是日期；请写成 2022、2022-07 或 2022-07-02。"
        ) from None
    if known is None:
        from .store import StoredNames

        known = StoredNames()
    try:
        return draft_report(text, report_date, precision, name=name, known=known)
    except LayoutProblem as problem:
        raise DraftProblem(str(problem)) from None
