"""Names of schools, organisations, zones, awards and publications, told by what such names
look like in Chinese and cut at the segmenter's word boundaries.

A name ends in a word that says what it is (小学, 研究院, 实验区, 奖 …) and starts where the
words before it stop being part of a name: at a verb, a preposition, punctuation or a count
(30所…学校 is a kind of school, not one school). A name made only of generic words (试点示范
学校, 教育研究所) names no one; quotation marks, though, mark a proper name whatever its words.
"""

import re
from dataclasses import dataclass, field

from .segment import tokens

# Longest first: the longest suffix that fits says what the name is.
SCHOOL_SUFFIXES = (
    "特殊教育中心",
    "特殊教育学校",
    "教师进修学院",
    "教师进修学校",
    "职业技术学院",
    "职业教育中心",
    "职业中学",
    "职业学校",
    "幼儿园",
    "职教中心",
    "中学校",
    "小学",
    "中学",
    "附中",
    "附小",
    "职中",
    "学校",
    "学院",
)
ORGANISATION_SUFFIXES = (
    "卫生健康委员会",
    "教育委员会",
    "人民政府",
    "委员会",
    "教育局",
    "教育厅",
    "教育部",
    "管理局",
    "研究院",
    "研究所",
    "研究中心",
    "科学院",
    "办公室",
    "教委",
    "政府",
    "大学",
    "公司",
    "集团",
    "协会",
    "学会",
    "基金会",
    "出版社",
    "报社",
    "电视台",
    "工作室",
    "科技馆",
    "博物馆",
    "图书馆",
    "体育馆",
    "美术馆",
    "文化馆",
    "中心",
)
ZONE_SUFFIXES = ("实验区", "试验区", "示范区", "先行区", "先行示范区")
AWARD_SUFFIXES = ("示范校", "特色学校", "称号", "先进集体", "先进单位", "示范单位", "奖")
# The grade of an award is not an award of its own.
GRADES = re.compile(r"^(?:特等奖|[一二三四五六七八九十\d]+等奖|金奖|银奖|铜奖|优秀奖|大奖|提名奖)")
SUFFIXES = sorted(
    [(suffix, "school") for suffix in SCHOOL_SUFFIXES]
    + [(suffix, "organization") for suffix in ORGANISATION_SUFFIXES]
    + [(suffix, "zone") for suffix in ZONE_SUFFIXES]
    + [(suffix, "award") for suffix in AWARD_SUFFIXES],
    key=lambda pair: -len(pair[0]),
)
SUFFIX_PATTERN = re.compile("|".join(re.escape(suffix) for suffix, _ in SUFFIXES))
KIND_OF_SUFFIX = dict(SUFFIXES)

# Parts of speech that can stand inside a name (jieba's tags): nouns of every sort, place and
# person names, verbal and adjectival nouns, abbreviations, idioms used as nouns, Latin words.
NAME_TAGS = {"f", "n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "vn", "an", "j", "l", "b", "s", "eng"}
# Words that never stand inside a name: they begin or end the clause around it.
NEVER_INSIDE = set(
    "作为 获得 获评 荣获 获批 成为 依托 开展 举行 举办 成立 建设 打造 出台 创建 构建 参加 参与 "
    "承办 开设 启动 推进 入选 评为 授予 支持 签订 签约 携手 联合 合作 共建 走进 来到 前往 组织 "
    "召开 通过 设立 命名 认定 申报 加入 包括 位于 来自 带领 指导 牵头 是 有 在 到 向 与 和 及 "
    "由 把 将 对 以 为 从 如 据 经 被 让 使 给 同 跟 等 的 了 着 各 该 本 这 那 其 全体 所有 "
    "部分 一批 多所 各类 相关 其他 我们 他们 以及 并 或 暨 首个 首家 系列".split()
)
# Words that alone say nothing about which school or body is meant.
GENERIC = set(
    "教育 教学 学校 中小学 中职 实验 示范 试点 项目 基地 特色 优质 重点 研究 发展 改革 综合 "
    "信息化 信息 技术 心理健康 心理 健康 国家级 市级 区级 省级 全国 全市 全区 国家 基础 基础教育 "
    "课程 新型 现代化 智慧 创新 公办 民办 普通 城区 农村 乡村 新建 部分 一批 多所 各级 各类 "
    "首批 专业 相关 未来 科技 文化 艺术 数字 线上 网络 社会 家庭 家长 教师 学生 儿童 青少年 "
    "高质量 标准化 规范化 先进 优秀 示范性 实验性 名校 集团 联盟 共同体 合作 单位 机构 "
    "义务教育 学前教育 高中 普通高中 周边 附近 当地 城乡 乡镇 寄宿制 薄弱 改扩建 扩建 改建 "
    "全县 全镇 全省 各地 所在".split()
)
PARTNER = re.compile(
    r"(?<=[与和同])([\u4e00-\u9fffA-Za-z]{2,10}?)(?=合作|联合|共同|共建|签约|签订|携手)"
)
# The one-character word of an administrative division (枫林县, 白石镇, 市教育科学研究院),
# which the segmenter tags as it likes, stands inside a name.
DIVISIONS = set("省市县区镇乡村州旗")
# A designation conferred (评为“市级示范幼儿园”) is a title held, whatever its words end in:
# a kindergarten named so is not a kindergarten of its own.
CONFERRED = re.compile(
    r"(评为|获评|授予|命名为|认定为|确定为|评选为|荣获|获得|获)(首批|第[一二三四五六七八九十\d]+批)?$"
)
# A kind followed by its count (改扩建学校8所) is a number of schools, not one school.
COUNTED_AFTER = re.compile(r"^[\d一二三四五六七八九十百千万两几多余]+[所个家座]")
# Bodies whose name is the suffix word alone.
# A district's teacher-training college is commonly called by its bare name.
NAMES_ON_THEIR_OWN = {
    "教育部": "organization",
    "教师进修学院": "school",
    "教师进修学校": "school",
}
# The level a designation is conferred at, as its name begins.
LEVEL_WORD = re.compile(r"^(国家级|省级|市级|区级|县级|全国|全省|全市)")
BATCH = re.compile(r"(首批|第[一二三四五六七八九十\d]+批)")
PLACE = re.compile(r"^(全国|国家|中国|教育部)")
LEVELS = (
    (re.compile(r"^(全国|国家|中国|教育部)|国家级"), "national"),
    (re.compile(r"^[\u4e00-\u9fff]{2,3}[市省]|市级|省级"), "municipal"),
    (re.compile(r"^[\u4e00-\u9fff]{2,3}区|区级"), "district"),
)
MEDIA_AFTER_TITLE = re.compile(r"^(微信公众号|公众号|客户端|微博|视频号|抖音号|栏目|频道|网站)")
TITLE_OF_MEDIA = re.compile(r"(报|日报|晚报|周刊|杂志|学报|时报|画报)$")
# What follows a 《title》 when the title names a course, an activity or a programme rather
# than a book or a document.
NOT_A_PUBLICATION_AFTER = re.compile(r"^[\u4e00-\u9fff]{0,12}?(课程|活动|项目|班会|节目|比赛|展演)")
# A title after the name of a performance or a film (话剧《山那边》) is a work staged or
# shown, not a publication.
PERFORMED_BEFORE = re.compile(
    r"(话剧|戏剧|音乐剧|课本剧|情景剧|舞台剧|歌舞剧|歌曲|舞蹈|合唱|朗诵|小品|相声|电影|微电影|"
    r"纪录片|动画片|动画|短视频|视频|节目)$"
)
PUBLICATION_KINDS = (
    (re.compile(r"(办法|细则|规定|条例|规程|标准)(（[^）]*）)?$"), "regulation"),
    (re.compile(r"(计划|规划)(（[^）]*）)?$"), "plan"),
    (re.compile(r"(意见|通知|方案|决定|纲要|指南|说明)(（[^）]*）)?$"), "policy"),
)


@dataclass
class Name:
    kind: str
    name: str
    start: int
    end: int
    aliases: list = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    quoted: bool = False


def title_spans(sentence):
    """The 《…》 titles of a sentence as (start, end) including the marks."""
    return [(match.start(), match.end()) for match in re.finditer(r"《[^《》]{1,80}》", sentence)]


def quoted_spans(sentence):
    return [
        (match.start(), match.end())
        for match in re.finditer(r"[“「]([^“”「」，。；！？]{2,40})[”」]", sentence)
    ]


def inside(position, spans):
    return any(start <= position < end for start, end in spans)


def level_of(name):
    name = re.sub(r"^(19|20)\d\d年(度)?", "", name)
    for pattern, level in LEVELS:
        if pattern.search(name):
            return level
    return "unstated"


def school_stage(name):
    rules = (
        ("幼儿园", "kindergarten"),
        ("特殊教育", "special"),
        ("特教", "special"),
        ("进修", "teacher_training"),
        ("职业", "vocational"),
        ("职中", "vocational"),
        ("小学", "primary"),
        ("附小", "primary"),
        ("中学", "secondary"),
        ("附中", "secondary"),
    )
    for word, stage in rules:
        if word in name:
            return stage
    return "other"


def organisation_kind(name):
    rules = (
        (r"(政府|教委|委员会|教育局|教育厅|教育部|管理局|办公室)$", "government"),
        (r"(研究院|研究所|研究中心|科学院)$", "research"),
        (r"大学$", "university"),
        (r"(公司|集团)$", "company"),
        (r"(报》?|电视台|出版社|报社|公众号|客户端|栏目|频道)$", "media"),
        (r"工作室$", "studio"),
        (r"(文化|艺术|体育|会展|科技|图书|博物)[\u4e00-\u9fff]{0,4}(中心|馆)$", "venue"),
        (r"馆$", "venue"),
    )
    for pattern, kind in rules:
        if re.search(pattern, name):
            return kind
    return "other"


def publication_kind(title):
    bare = title.strip("《》")
    for pattern, kind in PUBLICATION_KINDS:
        if pattern.search(bare):
            return kind
    return "book"


def classify(name, suffix_kind):
    """The record kind and required fields of a name ending in a suffix of ``suffix_kind``."""
    if suffix_kind == "school" and name.endswith("学院") and PLACE.match(name):
        # A national institute (国家教育行政学院) is a body, not one of the district's schools.
        suffix_kind = "organization"
    if suffix_kind == "organization" and re.search(r"(特殊教育|特教)中心$", name):
        suffix_kind = "school"
    if suffix_kind == "school":
        return "school", {"stage": school_stage(name)}
    if suffix_kind == "organization":
        return "organization", {"kind": organisation_kind(name)}
    if suffix_kind == "zone":
        return "zone", {"level": level_of(name)}
    return "award", {"level": level_of(name)}


def is_generic(words):
    return all(
        word in GENERIC or re.fullmatch(r"[\d一二三四五六七八九十百千万两]+[个所家大项批级]?", word)
        for word in words
    )


def _split_batch(name):
    """A designation's batch (首批) is kept apart from its name: the name is the same
    whatever batch a holder was in; the name as written stays as an alias."""
    match = BATCH.search(name)
    if not match:
        return name, "", []
    bare = name[: match.start()] + name[match.end() :]
    return bare, match.group(1), [name]


def find_names(sentence):
    """Every name in ``sentence`` with its kind and the fields its wording gives."""
    found = []
    titles = title_spans(sentence)
    for start, end in titles:
        found.extend(_from_title(sentence, start, end))
    quotes = [span for span in quoted_spans(sentence) if not inside(span[0], titles)]
    taken = list(titles)
    for start, end in quotes:
        content = sentence[start + 1 : end - 1]
        match = None
        for suffix, kind in SUFFIXES:
            if content.endswith(suffix) and len(content) > len(suffix):
                match = (suffix, kind)
                break
        conferred = CONFERRED.search(sentence[max(start - 8, 0) : start])
        if conferred and (match is None or match[1] != "zone") and not GRADES.match(content):
            match = (content, "award")
        if match and not GRADES.match(content):
            found.append(_named(content, match[1], start + 1, end - 1, quoted=True))
            taken.append((start, end))
    # A partner named in a joint act (由甲与乙合作共建) is a body, whatever its name ends in.
    for match in PARTNER.finditer(sentence):
        start, end = match.span(1)
        if inside(start, taken) or any(n.start <= start < n.end for n in found):
            continue
        if _distinctive(match.group(1)) and not SUFFIX_PATTERN.search(match.group(1)):
            name = match.group(1)
            found.append(
                Name("organization", name, start, end, [], {"kind": organisation_kind(name)})
            )
            taken.append((start, end))
    words = tokens(sentence)
    for match in SUFFIX_PATTERN.finditer(sentence):
        if inside(match.start(), taken):
            continue
        name = _name_ending_at(sentence, words, match)
        if name is not None:
            found.append(name)
            taken.append((name.start, name.end))
    found.sort(key=lambda name: name.start)
    return found


def _named(text, suffix_kind, start, end, quoted=False):
    bare, batch, aliases = _split_batch(text)
    kind, fields = classify(bare, suffix_kind)
    if batch and kind in ("zone", "award"):
        fields["batch"] = batch
    else:
        bare, aliases = text, []
    return Name(kind, bare, start, end, aliases, fields, quoted)


def _from_title(sentence, start, end):
    title = sentence[start:end]
    after = sentence[end:]
    media = MEDIA_AFTER_TITLE.match(after)
    if media:
        name = title + media.group(1)
        return [Name("organization", name, start, end + len(media.group(1)), [], {"kind": "media"})]
    if TITLE_OF_MEDIA.search(title.strip("《》")):
        return [Name("organization", title, start, end, [], {"kind": "media"})]
    if NOT_A_PUBLICATION_AFTER.match(after) or PERFORMED_BEFORE.search(sentence[:start]):
        return []
    if len(title) <= 4:
        return []
    return [Name("publication", title, start, end, [], {"kind": publication_kind(title)})]


def _name_ending_at(sentence, words, match):
    """The name whose last word holds ``match`` (a suffix), or None if the words before it
    make no name."""
    suffix_end = match.end()
    if GRADES.match(sentence[match.start() - 2 : suffix_end]) or GRADES.match(
        sentence[match.start() - 1 : suffix_end]
    ):
        return None
    # The suffix must end a word: 中学 in 中学生, 中心 in 中心点 is no suffix.
    last = next(
        (index for index, word in enumerate(words) if word.start < suffix_end <= word.end), None
    )
    if last is None or words[last].end != suffix_end:
        return None
    # A verb ending like a name (获奖, 办学) says what was done, not what was named.
    if words[last].flag.startswith("v") and words[last].flag != "vn":
        return None
    # A generic word that merely ends like a name (中小学) is no name's end; a suffix that
    # runs over two words (中学校: 中 + 学校) ends in a generic word and is one all the same.
    if (
        words[last].text in GENERIC
        and words[last].start <= match.start()
        and words[last].text != match.group(0)
    ):
        return None
    first = last
    while first > 0:
        word = words[first - 1]
        if _inside_name(words, first - 1):
            first -= 1
        elif word.text in ("与", "和") and first >= 2 and _joins_across(words, first, last):
            first -= 1
        else:
            break
    # A name starts at its place (南岸区…, 中国…) when common words stand before it: those
    # belong to the clause (借智借力中国教育科学研究院).
    places = [index for index in range(first, last) if words[index].flag in ("ns", "nt")]
    if (
        places
        and places[0] - first >= 2
        and all(
            words[index].flag in ("n", "l", "vn", "an", "j") for index in range(first, places[0])
        )
    ):
        first = places[0]
    # A suffix of several words (教师进修学院) is in the name whatever stands before it.
    while first > 0 and words[first].start > match.start():
        first -= 1
    # A word of place or direction (上, 中, 周边) never begins a name: 用上城区学校 is the
    # schools of a town, not 上城区学校.
    while first < last and words[first].flag == "f" and words[first].start < match.start():
        first += 1
    start = words[first].start
    head = sentence[start : match.start()]
    if COUNTED_AFTER.match(sentence[suffix_end:]):
        return None
    if (
        len(head) == 1
        and head not in DIVISIONS
        and words[first].flag not in ("ns", "nr", "nt", "nz")
        and not re.fullmatch(r"[一二三四五六七八九十]", head)
    ):
        # One common character makes no name (在玩中学); a one-character head is a place's
        # (渝中学校) or a division's (区教委, 县教育局).
        return None
    if not head:
        if match.group(0) in NAMES_ON_THEIR_OWN and sentence[start:suffix_end] == match.group(0):
            return _named(match.group(0), NAMES_ON_THEIR_OWN[match.group(0)], start, suffix_end)
        return None
    if (
        is_generic([word.text for word in tokens(head)])
        and not _distinctive(head)
        and not _leveled_zone(head, match.group(0))
    ):
        return None
    if first > 0 and _counts(words[first - 1].text):
        return None
    return _named(sentence[start:suffix_end], KIND_OF_SUFFIX[match.group(0)], start, suffix_end)


def _leveled_zone(head, suffix):
    """Whether generic words before a zone's suffix still name one zone: a level (省级, 全国)
    followed by what the zone tries out (基础教育综合改革) is how such designations are
    named, while a level with a word or two (全市实验区, 全省改革试验区) only speaks of the
    zones of a place. The description must run to two words and four characters."""
    if KIND_OF_SUFFIX.get(suffix) != "zone":
        return False
    level = LEVEL_WORD.match(head)
    if not level:
        return False
    described = head[level.end() :]
    return len(described) >= 4 and len(tokens(described)) >= 2


def _inside_name(words, index):
    """Whether the word at ``index`` can stand inside a name ending after it."""
    word = words[index]
    if word.text in NEVER_INSIDE:
        return False
    if (
        word.flag in NAME_TAGS
        or word.text in DIVISIONS
        or _name_numeral(words, index)
        or BATCH.fullmatch(word.text)
    ):
        return True
    # A verb between two nouns belongs to the name (临溪县教师进修学校) when the name is
    # anchored in a place or a proper name before it; else it is the clause's verb (把课后服务
    # 纳入学校) and begins no name. A verb after punctuation or a preposition begins the clause.
    return (
        word.flag == "v"
        and index > 0
        and index + 1 < len(words)
        and SUFFIX_PATTERN.search(words[index + 1].text) is not None
        and words[index - 1].flag in NAME_TAGS
        and words[index - 1].text not in NEVER_INSIDE
        and _anchored(words, index)
    )


def _anchored(words, index):
    """Whether the name words running up to ``index`` hold a place or a proper name."""
    before = index - 1
    while before >= 0 and words[before].text not in NEVER_INSIDE:
        word = words[before]
        if word.flag in ("ns", "nt", "nz", "nr") or word.text in DIVISIONS:
            return True
        if word.flag not in NAME_TAGS:
            return False
        before -= 1
    return False


def _distinctive(head):
    return any(word.flag in ("ns", "nr", "nrt", "nt", "nz", "eng") for word in tokens(head))


def _name_numeral(words, index):
    """A numeral inside a name (重庆十一中学, 2021年重庆市教学成果奖), not a count before it."""
    word = words[index]
    # An ordinal inside a name (第二中学, 第三实验小学) numbers the school, not a count.
    if re.fullmatch(r"第[一二三四五六七八九十百\d]+", word.text):
        return True
    if re.fullmatch(r"[一二三四五六七八九十]+", word.text):
        return index + 1 < len(words) and words[index + 1].text in ("中", "中学", "小", "小学")
    if word.text == "年" and index > 0 and re.fullmatch(r"(19|20)\d\d", words[index - 1].text):
        return True
    return bool(re.fullmatch(r"(19|20)\d\d", word.text)) and words[index + 1].text == "年"


def _joins_across(words, after, last):
    """Whether a 与/和 at ``after - 1`` is inside the name (心理健康与教育研究所): only when
    what follows it would name nobody alone."""
    return (
        after < last
        and is_generic([word.text for word in words[after:last]])
        and words[after - 2].flag in NAME_TAGS
    )


def _counts(text):
    return bool(
        re.fullmatch(
            r"[\d一二三四五六七八九十百两几多]+[所个家大项批]?|所|个|家|大|各|多所|一批|首批", text
        )
    )
