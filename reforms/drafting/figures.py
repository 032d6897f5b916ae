"""Counted numbers: value, unit and qualifier, exactly as printed and resolved.

超6000人 is over 6000 people, 近2500名 nearly 2500, 仅4个 only 4, 4.6万 46000, 三所 3 schools,
2.3个百分点 2.3 points. A number inside a set phrase (三位一体, 一体化) counts nothing, which
the segmenter tells; an ordinal (第二届), a date (2021年, 7月) or a version (3.0) is no count.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from .segment import tokens

QUALIFIERS = (
    ("超过", "超"),
    ("超", "超"),
    ("逾", "超"),
    ("将近", "近"),
    ("接近", "近"),
    ("近", "近"),
    ("仅有", "仅"),
    ("仅", "仅"),
    ("只有", "仅"),
)
UNITS = (
    "个百分点",
    "平方米",
    "%",
    "％",
    "人次",
    "名",
    "人",
    "所",
    "个",
    "项",
    "套",
    "本",
    "次",
    "场",
    "家",
    "位",
    "条",
    "门",
    "节",
    "类",
    "届",
    "期",
    "份",
    "件",
    "台",
    "间",
    "座",
    "支",
    "亿元",
    "万元",
    "元",
    "亩",
    "公里",
    "天",
    "小时",
    "课时",
    "学时",
    "年",
    "大",
    "级",
    "倍",
    "篇",
    "种",
    "处",
    "册",
    "张",
    "岁",
    "成",
)
NUMERAL = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
FIGURE = re.compile(
    r"(?P<before>连续|超过|将近|接近|仅有|只有|超|逾|近|仅)?"
    r"(?P<number>" + NUMERAL + r")(?P<scale>万|亿)?(?P<more>余|多)?"
    r"(?P<unit>" + "|".join(re.escape(unit) for unit in UNITS) + ")"
    r"(?P<after>以上|多)?"
)
# A count whose unit is in the measure named before it (选课人次超过9万, 服务人数达3万).
UNIT_BEFORE = re.compile(
    r"(?P<measure>人次|人数|次数)(?:达到|达|为|突破|约)?"
    r"(?P<before>超过|将近|接近|超|逾|近)?(?P<number>\d+(?:\.\d+)?)(?P<scale>万|亿)(?P<more>余|多)?"
    r"(?![\d\u4e00-\u9fff%％])"
)
MEASURE_UNITS = {"人次": "人次", "人数": "人", "次数": "次"}
# A numbered slogan in quotation marks (“三创”) counts its items.
NUMBERED_SLOGAN = re.compile(r"“(?P<number>[一二两三四五六七八九十])(?P<word>[\u4e00-\u9fff])”")
# 六一, 五四 … are days, not counts.
FESTIVAL_NAMES = {"六一", "五一", "五四", "七一", "八一", "三八"}
# Words saying a count is rough (约4.6万人, 300人左右). The model has no qualifier for them, so
# they change no value; but ``as_written`` is the figure as printed, and they are printed.
ABOUT_BEFORE = ("大约", "约莫", "大概", "约")
ABOUT_AFTER = re.compile(r"^(左右|上下)(?![一齐同])")
# Counts of parts of a whole: 两大重点, 三个环节.
PART_UNITS = ("个", "大", "项", "级")


@dataclass
class Found:
    as_written: str
    value: Decimal
    unit: str
    qualifier: str
    start: int
    end: int
    name: str = ""


def number_value(text):
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    if text[:1] in "百千":
        # 百余名, 近千人: a hundred or a thousand is written without its 一.
        text = "一" + text
    try:
        # Imported here, as jieba is (segment.py): web workers never read numerals.
        import cn2an

        return Decimal(str(cn2an.cn2an(text, "smart")))
    except (ValueError, KeyError, TypeError):
        return None


def plain(value):
    return format(value.normalize(), "f")


def find_figures(sentence, skip_spans=()):
    """The counts of ``sentence`` outside ``skip_spans`` (titles), in order."""
    words = tokens(sentence)
    found = []
    for match in FIGURE.finditer(sentence):
        start, end = match.span()
        if any(a <= start < b for a, b in skip_spans):
            continue
        figure = _figure(sentence, words, match)
        if figure:
            found.append(figure)
    for match in UNIT_BEFORE.finditer(sentence):
        start = match.start("before") if match.group("before") else match.start("number")
        if any(a <= start < b for a, b in skip_spans) or any(
            f.start <= start < f.end for f in found
        ):
            continue
        value = Decimal(match.group("number")) * (10000 if match.group("scale") == "万" else 10**8)
        qualifier = dict(QUALIFIERS).get(match.group("before") or "", "")
        if match.group("more"):
            qualifier = "超"
        unit = MEASURE_UNITS[match.group("measure")]
        written = sentence[start : match.end()]
        found.append(Found(written, value, unit, qualifier, start, match.end()))
    for match in NUMBERED_SLOGAN.finditer(sentence):
        if any(a <= match.start() < b for a, b in skip_spans):
            continue
        if any(f.start <= match.start() + 1 < f.end for f in found):
            # “三级” is a count already, with its own unit.
            figure = next(f for f in found if f.start <= match.start() + 1 < f.end)
            if figure.end == match.end() - 1:
                figure.as_written = match.group(0)
                figure.start, figure.end = match.span()
            continue
        if match.group(0).strip("“”") in FESTIVAL_NAMES:
            continue
        value = number_value(match.group("number"))
        found.append(Found(match.group(0), value, "项", "", match.start(), match.end()))
    found.sort(key=lambda figure: figure.start)
    for figure in found:
        _keep_approximation(sentence, words, figure)
    # A lone 一个 counts something only in an enumeration (一个体系、两大重点 …).
    parts = [f for f in found if f.unit in PART_UNITS and f.value > 1]
    found = [f for f in found if f.value != 1 or (parts and f.unit in PART_UNITS)]
    for figure in found:
        figure.name = figure_name(sentence, figure)
    return found


def _keep_approximation(sentence, words, figure):
    """Widen ``figure`` over a word of approximation printed with it (约有 too). One before
    it must be a word of its own: the 约 of 节约3000元 is part of a verb."""
    start = figure.start
    word = next((w for w in words if w.end == start), None)
    if word is not None and word.text == "有":
        word = next((w for w in words if w.end == word.start), None)
    if word is not None and word.text in ABOUT_BEFORE:
        figure.start = word.start
    after = ABOUT_AFTER.match(sentence[figure.end :])
    if after:
        figure.end += after.end()
    figure.as_written = sentence[figure.start : figure.end]


def _figure(sentence, words, match):
    start, end = match.span()
    number = match.group("number")
    unit = match.group("unit")
    number_start = match.start("number")
    before = sentence[max(number_start - 1, 0) : number_start]
    after = sentence[end : end + 1]
    if before == "第" or (before.isdigit() or before == ".") or after in ("月", "日", "号"):
        return None
    if unit == "年" and match.group("before") != "连续":
        return None
    if re.fullmatch(r"\d", number) and sentence[end : end + 1].isdigit():
        return None
    if re.fullmatch(r"\d+\.\d+", number) and not match.group("unit"):
        return None
    # The number must begin a word and the count end one: 三位一体 and 一体化 are words of
    # their own, not counts.
    # The segmenter may hold the qualifier and the count as one word (近百名).
    begins = any(
        word.start == number_start or (word.start == start and word.end <= end) for word in words
    )
    ends = any(word.end == end for word in words) or any(
        word.start < end < word.end and word.text.startswith(sentence[end - 1 :][:1]) is False
        for word in words
    )
    container = next((w for w in words if w.start <= number_start < w.end), None)
    if not begins or (container and container.flag in ("i", "l") and container.end > end):
        return None
    if container and container.end > end and not re.fullmatch(NUMERAL, container.text[:-1]):
        # 一元带多元, 一校创新: the number is part of a longer word.
        if not ends:
            return None
    if re.fullmatch(r"[一二两三四五六七八九]{2,}", number):
        # 三五成群, 七八个: two digits side by side guess at a number, they count nothing.
        return None
    value = number_value(number)
    if value is None:
        return None
    if match.group("scale") == "万":
        value *= 10000
    elif match.group("scale") == "亿":
        value *= 100000000
    qualifier = dict(QUALIFIERS).get(match.group("before") or "", "")
    if match.group("more") or match.group("after"):
        # 余, 多 and 以上 all say the count is past the number written.
        qualifier = "超"
    shown_unit = {"大": "个", "％": "%"}.get(unit, unit)
    if unit == "成":
        # 六成 is sixty per cent.
        value, shown_unit = value * 10, "%"
    return Found(match.group(0), value, shown_unit, qualifier, start, end)


NOUN_TAGS = {"n", "nz", "vn", "l", "j", "nt", "ns", "an", "f", "b"}


def figure_name(sentence, figure):
    """What a figure counts: the noun before it that names a number (参培人数超6000人), else
    the noun after it (30所…学校 → …学校数)."""
    before = list(tokens(sentence[: figure.start]))
    phrase = []
    for word in reversed(before[-3:]):
        if word.flag in NOUN_TAGS or word.text in ("人数", "数"):
            phrase.insert(0, word.text)
        else:
            break
    joined = "".join(phrase)
    if re.search(r"(数|率|量|规模|人次)$", joined):
        return joined
    after = list(tokens(sentence[figure.end :]))
    if after and after[0].text == "“":
        quoted = re.match(r"“([^”]{1,12})”", sentence[figure.end :])
        if quoted:
            return f"“{quoted.group(1)}”数"
    phrase = []
    for word in after[:3]:
        if word.flag in NOUN_TAGS and not (phrase and word.flag in ("vn", "l", "an")):
            phrase.append(word.text)
        elif phrase:
            break
        else:
            break
    counted = "".join(phrase)
    if figure.unit == "%":
        return f"{joined or counted}比例" if (joined or counted) else ""
    if counted:
        return f"{counted}数" if not counted.endswith("数") else counted
    if joined:
        return f"{joined}数"
    # No noun the segmenter is sure of: the words that follow, up to a verb.
    following = ""
    for word in after[:3]:
        if word.flag[:1] in ("v", "p", "u", "d", "c", "r", "x", "m") or not word.text.strip():
            break
        following += word.text
    return f"{following}数" if len(following) >= 2 else ""
