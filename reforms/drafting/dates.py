"""Dates as written: a year, a month or a day, and whether the report states the year.

2022年12月 is a month; 5月12日 a day whose year is the report's; 今年“六一” is 1 June of the
report's year, 去年 the year before. A year the reader must supply is marked inferred, with the
reason in words; so is a year read from a name (2021年…奖 dates the award's edition, not
the event).
"""

import datetime
import re
from dataclasses import dataclass

FESTIVALS = {
    "元旦": (1, 1),
    "三八": (3, 8),
    "妇女节": (3, 8),
    "五一": (5, 1),
    "劳动节": (5, 1),
    "五四": (5, 4),
    "青年节": (5, 4),
    "六一": (6, 1),
    "儿童节": (6, 1),
    "七一": (7, 1),
    "八一": (8, 1),
    "教师节": (9, 10),
    "国庆": (10, 1),
    "国庆节": (10, 1),
}
RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "前年": -2, "明年": 1}
RELATIVE_MONTHS = {"上月": -1, "上个月": -1, "本月": 0, "这个月": 0}
FESTIVAL = "|".join(sorted(FESTIVALS, key=len, reverse=True))
# A part of a year (去年秋季学期, 今年上半年) dates no closer than the year; it belongs to the
# date as written, not to the event's title.
PART_OF_YEAR = (
    "秋季学期|春季学期|上学期|下学期|上半年|下半年|一季度|二季度|三季度|四季度|"
    "第[一二三四]季度|秋季|春季|暑期|暑假|寒假|年底|年初|年末|底|初"
)
DATE = re.compile(
    r"(?P<year>(?:19|20)\d\d)年(?:(?P<month>1[0-2]|0?[1-9])月(?:(?P<day>[12]\d|3[01]|0?[1-9])[日号])?)?"
    r"|(?<![较比与])(?<!同比)(?P<relative>今年|本年|去年|前年|明年)[“\"]?(?:(?P<rmonth>1[0-2]|0?[1-9])月"
    r"(?:(?P<rday>[12]\d|3[01]|0?[1-9])[日号])?|(?P<festival>" + FESTIVAL + r")[”\"]?"
    r"|(?:的)?(?P<part>" + PART_OF_YEAR + r"))?"
    r"|(?<![\d年])(?P<bmonth>1[0-2]|0?[1-9])月(?P<bday>[12]\d|3[01]|0?[1-9])[日号]"
    r"|(?<![较比与])(?<!同比)(?P<relmonth>上个月|上月|本月|这个月)"
    r"|(?P<term>本学期|这学期)"
    r"|(?P<season>暑期|暑假|寒假)"
)
# A year reached for (到2025年, 力争至2030年) is a goal, not an event.
GOAL = re.compile(r"(到|至|力争|争取|预计)$")
FUTURE = re.compile(r"将|即将|计划|拟|预计|届时")
# Events, for a season word (暑期) to date one.
EVENT_VERBS = re.compile(r"举行|举办|开展|召开|启动|成立|开幕|签订|签约|揭牌|发布|组织")
# What may follow a year that dates an event rather than begins a name.
AFTER_EVENT_YEAR = re.compile(
    r"^(起|以来|至今|底|初|末|年底|年初|上半年|下半年|，|,|、|秋季|春季|度|的|开始|前后|间|是|来)"
)


@dataclass
class WrittenDate:
    date: datetime.date
    precision: str
    inferred: bool
    reason: str
    written: str
    start: int
    end: int


def find_dates(sentence, report_date, report_precision, names=(), skip_spans=()):
    """Each date written in ``sentence``, resolved against the report's date."""
    found = []
    for match in DATE.finditer(sentence):
        if any(a <= match.start() < b for a, b in skip_spans):
            continue
        resolved = _resolve(sentence, match, report_date, report_precision, names)
        if resolved:
            found.append(resolved)
    return found


def _resolve(sentence, match, report_date, precision, names):
    written = match.group(0)
    groups = match.groupdict()
    base_year = report_date.year
    shown_base = _shown(report_date, precision)
    if groups["year"]:
        year = int(groups["year"])
        if GOAL.search(sentence[: match.start()]) and year > report_date.year:
            return None
        if groups["day"]:
            return _dated(year, int(groups["month"]), int(groups["day"]), match, False, "")
        if groups["month"]:
            return _dated(year, int(groups["month"]), None, match, False, "")
        name = next((n for n in names if n.start <= match.start() < n.end), None)
        quoted = re.search(r"“[^”]*$", sentence[: match.start()]) and not re.search(
            r"^[^“”]*”", sentence[match.start() : match.start()]
        )
        following = sentence[match.end() :]
        if name is not None or (quoted and not AFTER_EVENT_YEAR.match(following)):
            whole = name.name if name is not None else _quoted_at(sentence, match.start())
            reason = (
                f"年份取自名称“{whole}”：名称里的年份是这一届的年份，事件本身的日期报道没有写明。"
            )
            return _dated(year, None, None, match, True, reason)
        return _dated(year, None, None, match, False, "")
    if groups["relative"]:
        year = base_year + RELATIVE_YEARS[groups["relative"]]
        if groups["festival"]:
            month, day = FESTIVALS[groups["festival"]]
        else:
            month = int(groups["rmonth"]) if groups["rmonth"] else None
            day = int(groups["rday"]) if groups["rday"] else None
        reason = f"报道写“{written}”，年份未写明，按报道日期（{shown_base}）推定为{year}年。"
        return _dated(year, month, day, match, True, reason)
    if groups["relmonth"]:
        if precision == "year":
            # Which month “last month” is cannot be told from a year.
            return None
        month = report_date.month + RELATIVE_MONTHS[groups["relmonth"]]
        year = base_year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        reason = f"报道写“{written}”，按报道日期（{shown_base}）推定为{year}年{month}月。"
        return _dated(year, month, None, match, True, reason)
    if groups["term"]:
        # A school year's first term runs from September to January: in January and
        # February “this term” began the year before.
        year = base_year - (1 if precision != "year" and report_date.month <= 2 else 0)
        reason = f"报道写“{written}”，按报道日期（{shown_base}）推定这一学期在{year}年。"
        return _dated(year, None, None, match, True, reason)
    if groups["bmonth"]:
        month, day = int(groups["bmonth"]), int(groups["bday"])
        year = base_year
        note = ""
        if (
            precision != "year"
            and (month, day) > (report_date.month, report_date.day if precision == "day" else 31)
            and not FUTURE.search(sentence)
        ):
            # A past event dated after the report's own date happened the year before.
            year -= 1
            note = "；这一天在报道日期之后而事情已经发生，故为上一年"
        reason = (
            f"报道只写“{written}”，年份未写明，按报道日期（{shown_base}）推定为{year}年{note}。"
        )
        return _dated(year, month, day, match, True, reason)
    if groups["season"] and EVENT_VERBS.search(sentence):
        reason = f"报道只写“{written}”，年份未写明，按报道日期（{shown_base}）推定为{base_year}年。"
        return _dated(base_year, None, None, match, True, reason)
    return None


def _quoted_at(sentence, position):
    start = sentence.rfind("“", 0, position)
    end = sentence.find("”", position)
    return sentence[start + 1 : end if end > 0 else None]


def _dated(year, month, day, match, inferred, reason):
    try:
        if day:
            date, precision = datetime.date(year, month, day), "day"
        elif month:
            date, precision = datetime.date(year, month, 1), "month"
        else:
            date, precision = datetime.date(year, 1, 1), "year"
    except ValueError:
        return None
    return WrittenDate(date, precision, inferred, reason, match.group(0), *match.span())


def _shown(date, precision):
    if precision == "year":
        return f"{date.year}年"
    if precision == "month":
        return f"{date.year}年{date.month}月"
    return f"{date.year}年{date.month}月{date.day}日"


def parse_report_date(text):
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as (date, precision); ValueError otherwise."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", (text or "").strip())
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) if part else None for part in match.groups())
    if day:
        return datetime.date(year, month, day), "day"
    if month:
        return datetime.date(year, month, 1), "month"
    return datetime.date(year, 1, 1), "year"
