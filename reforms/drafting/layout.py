"""How a newspaper page reads once copied to plain text: title, byline, lead, headings,
sidebars, captions, and the paragraphs in between.

Text copied from a printed page keeps the column's line breaks, sometimes a blank line in the
middle of a sentence and letter-spaced words; text copied from a web page has one paragraph a
line. Both are read the same way: a line runs on into the next unless it ends a sentence, and a
short line standing on its own (no sentence punctuation, clearly shorter than the column) is a
heading, a caption or a title.
"""

import re
from dataclasses import dataclass, field
from statistics import median

# Sentence ends; a closing quotation mark or bracket after one still ends the sentence.
TERMINAL = "。！？!?…；;"
CLOSERS = "”’」』）)】》"
SENTENCE_PUNCTUATION = set("，。！？；：、,;!?")
# A line ending in one of these obviously runs on.
RUNS_ON = "，、：；“‘「『（(《—·"
SIDEBAR_MARK = re.compile(r"^【([^】]{1,20})】\s*(.*)$")
CAPTION_MARK = re.compile(r"^(图为|▲|△|■|（图）|\(图\)|图：|图:)")
PHOTO_CREDIT = re.compile(r"^[（(]?(?:图片由(.+?)提供|(?:图|摄影|摄|图片)[／/：:\s]+(.+?))[)）]?$")
# Words that announce the people who wrote a report, not the names themselves.
BYLINE_ROLES = re.compile(
    r"(本报讯|本报记者|特约记者|见习记者|记者|通讯员|实习生|文/图|文／图|图/文|图／文|"
    r"文字|撰稿|编辑|责任编辑|摄影|本报|文|图|[□■◎●○|｜/／:：（）()])"
)
PERSON = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
# The outlet a reporter writes for, printed before the role (临溪县融媒体中心记者 …).
OUTLET = re.compile(
    r"^[\u4e00-\u9fff]{2,16}?(?:日报|晚报|报社|报|电视台|广播电视台|台|融媒体中心|新闻中心|中心|"
    r"新闻网|网|客户端|通讯社|社)(?=\s*(?:特约记者|见习记者|首席记者|记者|通讯员))"
)
# A dateline that carries the byline in brackets: 本报讯（记者 黄一帆 通讯员 邓欣）.
DATELINE_BYLINE = re.compile(
    r"^((?:本报讯|[\u4e00-\u9fff]{2,12}讯)\s*)[（(]([^（）()]{2,40})[）)]\s*"
)
# A credit at the end of a caption: … 记者 郑雨桐 摄.
CAPTION_CREDIT = re.compile(
    r"\s*(?:本报|特约)?(?:记者|通讯员)?\s*((?:[\u4e00-\u9fff]{2,4}\s*){1,3}?)\s*摄$"
)
# A subtitle printed under the title opens with a dash.
SUBTITLE = re.compile(r"^(?:——|—|--)\s*(.+)$")
# The common surnames (the first hundred or so of today's list, with the double ones): a
# word that starts with none of them is no one's name, so headings of short phrases are not
# taken for a byline.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧"
    "耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙"
    "鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫"
    "米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
DOUBLE_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙")


def looks_like_person(word):
    if not PERSON.match(word):
        return False
    if word.startswith(DOUBLE_SURNAMES):
        return len(word) <= 4
    return word[0] in SURNAMES and len(word) <= 3


LETTER_SPACED = re.compile(r"(?<=[\u4e00-\u9fff\d（）()]) (?=[\u4e00-\u9fff\d（）()] )")
CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff（）()\d]) (?=[\u4e00-\u9fff（）()\d])")


@dataclass
class Section:
    key: str
    kind: str
    heading: str = ""
    subheading: str = ""
    paragraphs: list = field(default_factory=list)

    @property
    def text(self):
        return "".join(self.paragraphs)


@dataclass
class Layout:
    title: str
    authors: str = ""
    photo_credit: str = ""
    subtitle: str = ""
    sections: list = field(default_factory=list)


class LayoutProblem(ValueError):
    pass


def clean_line(line):
    """A line with its full-width and other odd spaces made plain, and letter-spaced words
    (流 实 验 区) closed up; a single space between words (用心护航 阳光成长) is kept."""
    line = line.replace("\u3000", " ").replace("\xa0", " ").replace("\t", " ")
    line = re.sub("[\u200b\u200c\u200d\ufeff]", "", line)
    line = re.sub(" {2,}", " ", line).strip()
    # Three or more single characters in a row, each followed by a space, are one word
    # spread out to fill a printed line.
    if re.search(r"(?:[\u4e00-\u9fff\d（）()] ){2,}[\u4e00-\u9fff\d（）()]", line):
        line = re.sub(
            r"(?:[\u4e00-\u9fff\d（）()] ){2,}[\u4e00-\u9fff\d（）()]",
            lambda match: match.group(0).replace(" ", ""),
            line,
        )
    return line


def ends_sentence(text):
    text = text.rstrip(CLOSERS)
    return bool(text) and text[-1] in TERMINAL


def has_sentence_punctuation(text):
    return any(char in SENTENCE_PUNCTUATION for char in text)


def spaced_phrases(line):
    """Whether a line is two or more phrases set apart by a space outside quotation marks,
    as headings are printed (统筹规划 整体设计)."""
    depth = 0
    for index, char in enumerate(line):
        if char in "“‘「《(（":
            depth += 1
        elif char in "”’」》)）":
            depth = max(depth - 1, 0)
        elif char == " " and depth == 0 and 0 < index < len(line) - 1:
            return True
    return False


def column_widths(lines):
    """For each line, the width of the column around it: a line clearly shorter than its
    neighbours stands on its own, one as long as them was cut by the column."""
    lengths = [len(line) for line in lines]
    widths = []
    for index in range(len(lines)):
        around = [
            length
            for place, length in enumerate(lengths[max(index - 6, 0) : index + 7])
            if length and place + max(index - 6, 0) != index
        ]
        around.sort()
        # The longer lines of the neighbourhood are the full ones; last lines of paragraphs
        # are shorter and say nothing about the width.
        widths.append(median(around[len(around) // 2 :]) if around else 0)
    return widths


def is_byline(line):
    line = OUTLET.sub("", line)
    if PHOTO_CREDIT.match(line) or len(line) > 40 or has_sentence_punctuation(line.strip("（）")):
        return False
    words = [word for word in BYLINE_ROLES.sub(" ", line).split() if word]
    if not words or len(words) > 8:
        return False
    announced = bool(re.search(r"记者|通讯员|实习生|文/|文／|本报", line))
    # Bare names need at least two of them ("何霜 杜林燕"), else any heading of two short
    # phrases would pass for a byline.
    return all(looks_like_person(word) for word in words) and (announced or len(words) >= 2)


def byline_names(line):
    line = OUTLET.sub("", line)
    return " ".join(word for word in BYLINE_ROLES.sub(" ", line).split() if looks_like_person(word))


def read_layout(text, name=None):
    """The report's parts, in order, from its plain text.

    Raises ``LayoutProblem`` when no title can be told: ``name`` gives it, else it is the
    first line, which must look like one (short, not a sentence).
    """
    raw_lines = [clean_line(line) for line in text.splitlines()]
    lines = [line for line in raw_lines if line]
    if not lines:
        raise LayoutProblem("文本是空的。")
    if name:
        title = name.strip()
        # The title is often printed on the page too, above or (as a banner) below the story.
        lines = [line for line in lines if line.replace(" ", "") != title.replace(" ", "")]
    else:
        title = lines.pop(0)
        if len(title) > 60 or ends_sentence(title) or "，" in title:
            raise LayoutProblem(
                f"第一行“{title[:30]}…”不像标题（标题应是单独一行的短句）；请用 --name 指明标题。"
            )
    layout = Layout(title=title)
    subtitle = SUBTITLE.match(lines[0]) if lines and not name else None
    if subtitle and len(lines[0]) <= 60 and not ends_sentence(lines[0]):
        layout.subtitle = subtitle.group(1).strip()
        lines.pop(0)
    units = _units(lines)
    _assign(units, layout)
    return layout


def _units(lines):
    """Lines joined into paragraphs; each unit is ("p", text), ("short", line), ("sidebar",
    heading, rest), ("byline", names) or ("credit", who)."""
    widths = column_widths(lines)
    units = []
    buffer = []
    for index, line in enumerate(lines):
        if buffer:
            buffer.append(line)
            if _closes(buffer, line, index, widths):
                units.append(("p", "".join(buffer)))
                buffer = []
            continue
        marked = SIDEBAR_MARK.match(line)
        credit = PHOTO_CREDIT.match(line)
        if marked:
            units.append(("sidebar", marked.group(1).strip(), ""))
            rest = marked.group(2).strip()
            if rest and not has_sentence_punctuation(rest) and len(rest) <= 30:
                units[-1] = ("sidebar", marked.group(1).strip(), rest)
            elif rest:
                buffer = [rest]
                if _closes(buffer, rest, index, widths):
                    units.append(("p", rest))
                    buffer = []
        elif credit:
            units.append(("credit", (credit.group(1) or credit.group(2)).strip()))
        elif is_byline(line):
            units.append(("byline", byline_names(line)))
        elif _stands_alone(line, widths[index]):
            units.append(("short", line))
        else:
            buffer = [line]
            if _closes(buffer, line, index, widths):
                units.append(("p", line))
                buffer = []
    if buffer:
        # A last line without any punctuation is a caption or a title, not a paragraph.
        last = "".join(buffer)
        units.append(
            ("short" if len(buffer) == 1 and not has_sentence_punctuation(last) else "p", last)
        )
    return _bylines_in_datelines(units)


def _bylines_in_datelines(units):
    """A paragraph opening with a dateline that holds the byline (本报讯（记者 …）) gives the
    byline its own unit; the dateline word stays with the paragraph."""
    result = []
    for unit in units:
        match = DATELINE_BYLINE.match(unit[1]) if unit[0] == "p" else None
        if match and is_byline(match.group(2)):
            result.append(("byline", byline_names(match.group(2))))
            unit = ("p", match.group(1).strip() + " " + unit[1][match.end() :])
        result.append(unit)
    return result


def _stands_alone(line, width):
    if has_sentence_punctuation(line) or ends_sentence(line) or line[-1] in RUNS_ON:
        return False
    if CAPTION_MARK.match(line):
        return True
    # A line cut by the column is as long as the column: one clearly shorter or longer stands
    # on its own.
    return spaced_phrases(line) or not 0.8 * width <= len(line) <= 1.25 * width


def _closes(buffer, line, index, widths):
    """Whether the paragraph in ``buffer`` ends with ``line``."""
    if ends_sentence(line):
        return True
    if line[-1] in RUNS_ON:
        return False
    # Only a sentence's end closes a paragraph: columns are too narrow and too varied for a
    # short line to tell a paragraph's end from a line cut by the column.
    return False


def _assign(units, layout):
    """Units into sections s1, s2 …: the lead, each heading's text, sidebars, captions."""
    sections = []

    def start(kind, heading="", subheading=""):
        sections.append(Section(f"s{len(sections) + 1}", kind, heading, subheading))
        return sections[-1]

    current = None
    after_byline = False
    index = 0
    while index < len(units):
        unit = units[index]
        kind = unit[0]
        if kind == "p":
            if current is None or current.kind in ("caption", "byline", "headline"):
                current = start("sidebar" if after_byline else "lead")
            if CAPTION_MARK.match(unit[1]):
                caption, credit = _caption_credit(unit[1])
                if credit and not layout.photo_credit:
                    layout.photo_credit = credit
                start("caption", caption).paragraphs.append(caption)
            else:
                current.paragraphs.append(unit[1])
        elif kind == "sidebar":
            subheading = unit[2]
            if (
                not subheading
                and index + 2 < len(units)
                and units[index + 1][0] == "short"
                and units[index + 2][0] == "p"
            ):
                # 【记者手记】 with its own title on the next line, then its text.
                index += 1
                subheading = units[index][1]
            current = start("sidebar", unit[1], subheading)
        elif kind == "byline":
            if not layout.authors:
                layout.authors = unit[1]
            current = start("byline")
            current.paragraphs.append(unit[1])
            # Text after a byline printed below the story is a sidebar; a byline under the
            # title comes before the lead.
            after_byline = any(s.paragraphs for s in sections if s.kind != "byline")
        elif kind == "credit":
            if not layout.photo_credit:
                layout.photo_credit = unit[1]
            if current is None or current.kind != "byline":
                current = start("byline")
            current.paragraphs.append(unit[1])
            after_byline = True
        else:
            run = [unit[1]]
            while index + 1 < len(units) and units[index + 1][0] == "short":
                index += 1
                run.append(units[index][1])
            followed = index + 1 < len(units) and units[index + 1][0] == "p"
            if not followed:
                # Short lines with no text after them are captions of the page's pictures.
                for line in run:
                    start("caption", line).paragraphs.append(line)
                current = sections[-1]
            else:
                heads = run[:-2] if len(run) > 2 else []
                for line in heads:
                    start("headline", line)
                rest = run[len(heads) :]
                kind_of = "sidebar" if after_byline else "section"
                current = start(kind_of, rest[0], rest[1] if len(rest) > 1 else "")
        index += 1
    layout.sections = [section for section in sections if section.paragraphs or section.heading]
    for number, section in enumerate(layout.sections, start=1):
        section.key = f"s{number}"


def _caption_credit(caption):
    """A caption and the photographer it credits at its end (… 记者 郑雨桐 摄), if any."""
    match = CAPTION_CREDIT.search(caption)
    if not match:
        return caption, ""
    names = [word for word in match.group(1).split() if looks_like_person(word)]
    if not names or " ".join(names).replace(" ", "") != match.group(1).replace(" ", ""):
        return caption, ""
    return caption[: match.start()].strip(), " ".join(names)


def sentences(text):
    """The sentences of a paragraph, each with its closing quotation mark."""
    parts = re.findall(r"[^。！？!?；;…]*(?:[。！？!?；;]+|…+|$)[”’」』）)]*", text)
    return [part for part in parts if part.strip()]
