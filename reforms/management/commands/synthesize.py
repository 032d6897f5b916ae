"""``synthesize``: add realistic synthetic records, to try lists, filters and search at scale.

Every record is marked ``is_synthetic`` and cites synthetic reports, so ``genuine()`` leaves it
out. Records link only to records made in the same run: a genuine school never gains synthetic
initiatives, awards or milestones in its reverse relations.

Like real reports over the years, the synthetic reports of one run overlap: a share of the
records is spoken of again by a later report, with words of its own, and a figure spoken of
again gets that report's newer value, so pages are measured with statements from several
reports and figure series.

``bulk_create`` sends no ``pre_save``, so the derived name fields are filled here the way
``signals.derive_name_fields`` would fill them.
"""

import calendar
import random
from collections import Counter, defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reforms import versioning
from reforms.models import (
    Award,
    DatePrecision,
    Figure,
    FigureValue,
    Initiative,
    InitiativeKind,
    Level,
    Milestone,
    Organization,
    OrganizationKind,
    PartialDate,
    Publication,
    PublicationKind,
    Qualifier,
    Report,
    School,
    SchoolStage,
    Section,
    SectionKind,
    Slogan,
    SloganKind,
    Statement,
    Zone,
)
from reforms.search import index as search_index

BATCH_SIZE = 1000

# Percentages of N. Rounding leftovers go to the models with the largest remainders.
SHARES = (
    (School, 25),
    (Initiative, 20),
    (Milestone, 15),
    (Organization, 10),
    (Figure, 10),
    (Award, 8),
    (Publication, 5),
    (Slogan, 5),
    (Zone, 2),
)

# The reports of one run, each a year after the one before; later ones repeat earlier records.
REPORT_SUFFIXES = ("", "续篇一", "续篇二")
FIRST_REPORT_YEAR = 2021
# How many records a later report speaks of again.
REPEAT_SHARE = 0.3
REPEAT_WORDS = "合成的续篇对这条记录的另一种说法，用于规模测试。"

SECTIONS = (
    ("s1", SectionKind.SECTION, "合成正文一"),
    ("s2", SectionKind.SECTION, "合成正文二"),
    ("s3", SectionKind.SECTION, "合成正文三"),
    ("sidebar-1", SectionKind.SIDEBAR, "合成侧栏"),
    ("caption-1", SectionKind.CAPTION, "合成图片说明"),
)

PLACES = (
    "南坪", "海棠溪", "龙门浩", "弹子石", "铜元局", "南山", "涂山", "长生桥", "广阳", "迎龙",
    "峡口", "鸡冠石", "花园路", "南湖", "四公里", "六公里", "江南", "茶园", "天文", "珊瑚",
    "南滨路", "黄桷垭", "大佛寺", "学府大道", "响水路", "回龙湾", "融侨", "东海", "上新街",
    "金紫山", "玄坛庙", "窍角沱", "石坪", "丹龙", "腾龙", "通江", "明佳", "天台岗",
)  # fmt: skip
TOPICS = (
    "人工智能", "科创", "劳动", "美育", "体育", "心理健康", "阅读", "数学", "科学", "信息科技",
    "家校共育", "课后服务", "教师发展", "智慧课堂", "生涯规划", "非遗传承", "书法", "足球",
    "研学实践", "英语", "国防", "生态文明", "创客", "编程",
)  # fmt: skip
BRANDS = (
    "智学", "启航", "慧育", "博雅", "睿思", "星辰", "未来", "卓越", "明德", "致远", "乐学",
    "树人", "同创", "云课", "数智", "育才", "山城", "两江",
)  # fmt: skip
EVENTS = (
    "启动仪式", "现场推进会", "成果展示会", "挂牌仪式", "专题研讨会", "开放日", "总结表彰会",
    "签约仪式",
)  # fmt: skip
PHRASES = (
    "立德树人", "五育并举", "以人为本", "因材施教", "知行合一", "开放共享", "守正创新",
    "协同育人", "融合发展", "面向未来", "学思结合", "家校同心", "全面发展", "特色发展",
    "优质均衡", "科技赋能", "阅读润心", "劳动育人", "以美育人", "健康第一", "问题导向",
    "实践育人", "数据驱动", "多元评价", "教研相长", "课程领航", "文化铸魂", "山水南岸",
    "乐学善思", "博学笃行",
)  # fmt: skip
INFERENCES = (
    "报道只写“今年”，按刊发年份推断。",
    "报道只写“去年”，按刊发年份减一推断。",
    "报道未写年份，据同段所述届次推断。",
)
GRADES = ("", "", "特等奖", "一等奖", "二等奖", "三等奖", "优秀奖")
BATCHES = ("", "", "首批", "第二批", "第三批")


class Pattern(NamedTuple):
    """A name template, its numbered form for repeats, and the choice value it implies."""

    plain: str
    numbered: str
    choice: object = None


class Measure(NamedTuple):
    unit: str
    low: int
    high: int
    tenths: bool = False


# In a numbered form, {name} is the plain name and {n} the number in Chinese numerals.
SCHOOL_PATTERNS = (
    Pattern("{place}实验小学", "{place}第{n}实验小学", SchoolStage.PRIMARY),
    Pattern("{place}小学", "{place}第{n}小学", SchoolStage.PRIMARY),
    Pattern("{place}中学", "{place}第{n}中学", SchoolStage.SECONDARY),
    Pattern("{place}实验中学", "{place}第{n}实验中学", SchoolStage.SECONDARY),
    Pattern("{place}外国语学校", "{place}第{n}外国语学校", SchoolStage.SECONDARY),
    Pattern("{place}幼儿园", "{place}第{n}幼儿园", SchoolStage.KINDERGARTEN),
    Pattern("{place}实验幼儿园", "{place}第{n}实验幼儿园", SchoolStage.KINDERGARTEN),
    Pattern("{place}职业中学", "{place}第{n}职业中学", SchoolStage.VOCATIONAL),
    Pattern("{place}特殊教育学校", "{place}第{n}特殊教育学校", SchoolStage.SPECIAL),
    Pattern("{place}教师进修学校", "{name}第{n}分校", SchoolStage.TEACHER_TRAINING),
    Pattern("{place}{topic}学校", "{name}第{n}分校", SchoolStage.OTHER),
)
ORGANIZATION_PATTERNS = (
    Pattern("南岸区{place}教育管理中心", "{name}第{n}分中心", OrganizationKind.GOVERNMENT),
    Pattern("{place}{topic}教育研究院", "{name}第{n}分院", OrganizationKind.RESEARCH),
    Pattern("重庆{brand}{topic}研究中心", "{name}第{n}分中心", OrganizationKind.RESEARCH),
    Pattern(
        "重庆{brand}大学{topic}学院", "重庆{brand}大学{topic}第{n}学院", OrganizationKind.UNIVERSITY
    ),
    Pattern("{place}教育集团", "{place}第{n}教育集团", OrganizationKind.OTHER),
    Pattern("重庆{brand}{topic}科技有限公司", "{name}第{n}分公司", OrganizationKind.COMPANY),
    Pattern("{brand}教育科技有限公司", "{name}第{n}分公司", OrganizationKind.COMPANY),
    Pattern("{place}融媒体中心", "{name}第{n}工作站", OrganizationKind.MEDIA),
    Pattern("{place}{topic}研学基地", "{place}第{n}{topic}研学基地", OrganizationKind.VENUE),
    Pattern("{place}{topic}名师工作室", "{place}第{n}{topic}名师工作室", OrganizationKind.STUDIO),
)
ZONE_PATTERNS = (
    Pattern("国家级{topic}教育实验区", "国家级{topic}教育第{n}实验区", Level.NATIONAL),
    Pattern("重庆市{topic}教育改革试验区", "重庆市{topic}教育改革第{n}试验区", Level.MUNICIPAL),
    Pattern("南岸区{place}{topic}实验区", "南岸区{place}{topic}第{n}实验区", Level.DISTRICT),
    Pattern("{place}{topic}示范片区", "{place}{topic}第{n}示范片区", Level.UNSTATED),
)
INITIATIVE_PATTERNS = (
    Pattern("{place}{topic}提升行动", "{name}（第{n}期）", InitiativeKind.ACTION),
    Pattern("{topic}教育攻坚行动", "{name}（第{n}期）", InitiativeKind.ACTION),
    Pattern("{place}{topic}三年行动计划", "{place}{topic}第{n}个三年行动计划", InitiativeKind.PLAN),
    Pattern("{place}{topic}领航计划", "{name}（第{n}期）", InitiativeKind.PROGRAMME),
    Pattern("{place}{topic}名师培养工程", "{name}（第{n}期）", InitiativeKind.PROGRAMME),
    Pattern("{place}{topic}协同育人机制", "{name}（第{n}版）", InitiativeKind.MECHANISM),
    Pattern("{topic}骨干教师{brand}研修班", "{name}（第{n}期）", InitiativeKind.TRAINING),
    Pattern("{place}{topic}节", "第{n}届{name}", InitiativeKind.ACTIVITY),
    Pattern("{place}{topic}校本课程", "{name}（第{n}册）", InitiativeKind.COURSE),
    Pattern("{place}{topic}创新实验室", "{place}{topic}第{n}创新实验室", InitiativeKind.PLATFORM),
)
PUBLICATION_PATTERNS = (
    Pattern(
        "《{place}{topic}教育的探索与实践》",
        "《{place}{topic}教育的探索与实践（第{n}辑）》",
        PublicationKind.BOOK,
    ),
    Pattern(
        "《{topic}课堂：{a}的{place}样本》",
        "《{topic}课堂：{a}的{place}样本（第{n}辑）》",
        PublicationKind.BOOK,
    ),
    Pattern("关于推进{place}{topic}教育的实施意见", "{name}（第{n}版）", PublicationKind.POLICY),
    Pattern(
        "南岸区{topic}教育发展行动计划",
        "南岸区{topic}教育第{n}期发展行动计划",
        PublicationKind.PLAN,
    ),
    Pattern("{place}{topic}教育评价实施办法", "{name}（第{n}版）", PublicationKind.REGULATION),
)
AWARD_PATTERNS = (
    Pattern("全国{topic}教育特色学校", "全国第{n}批{topic}教育特色学校", Level.NATIONAL),
    Pattern("重庆市{topic}示范学校", "重庆市第{n}批{topic}示范学校", Level.MUNICIPAL),
    Pattern(
        "重庆市基础教育{topic}教学成果奖", "重庆市第{n}届基础教育{topic}教学成果奖", Level.MUNICIPAL
    ),
    Pattern("南岸区{topic}教育先进集体", "南岸区第{n}届{topic}教育先进集体", Level.DISTRICT),
    Pattern("“{brand}杯”{topic}大赛", "第{n}届{name}", Level.UNSTATED),
)
FIGURE_PATTERNS = tuple(
    Pattern("{place}{topic}" + what, "{name}（第{n}次统计）", measure)
    for what, measure in (
        ("教育参与教师人数", Measure("人", 10, 6000)),
        ("教育覆盖学生人数", Measure("人", 100, 50000)),
        ("课程开设门数", Measure("门", 5, 300)),
        ("实验室建成数量", Measure("间", 1, 60)),
        ("教育投入经费", Measure("万元", 10, 5000)),
        ("培训人次", Measure("人次", 100, 20000)),
        ("结对学校数", Measure("所", 2, 80)),
        ("家长满意率", Measure("%", 800, 1000, tenths=True)),
    )
)
SLOGAN_PATTERNS = (
    Pattern("{a}，{b}", "{name}（其{n}）", SloganKind.PRINCIPLE),
    Pattern("{a}，{b}，{c}", "{name}（其{n}）", SloganKind.APPROACH),
    Pattern("让每个孩子{a}", "{name}（其{n}）", SloganKind.VISION),
    Pattern("{place}{topic}：{a}", "{name}（其{n}）", SloganKind.THEME),
    Pattern("办{a}的{place}教育", "{name}（其{n}）", SloganKind.GOAL),
)
MILESTONE_PATTERNS = (
    Pattern("{place}{topic}教育{event}", "第{n}次{name}"),
    Pattern("“{brand}”{topic}项目{event}", "第{n}次{name}"),
)

DIGITS = "零一二三四五六七八九"


def chinese_numeral(number):
    """2 → 二, 15 → 十五, 105 → 一百零五, 10010 → 一万零一十 (below 10⁸)."""
    high, low = divmod(number, 10000)
    if high:
        text = _below_ten_thousand(high) + "万" + ("零" if 0 < low < 1000 else "")
        text += _below_ten_thousand(low)
    else:
        text = _below_ten_thousand(low)
    # 十五 and 十万, not 一十五 and 一十万; inside a number the 一 stays (一百一十).
    return text[1:] if text.startswith("一十") else text


def _below_ten_thousand(number):
    parts, gap = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, number = divmod(number, value)
        if digit:
            parts.append(("零" if gap else "") + DIGITS[digit] + unit)
            gap = False
        elif parts:
            gap = True
    return "".join(parts)


def allocate(total):
    """How many records of each model: by SHARES, and at least one each when there is room."""
    weight = sum(share for _, share in SHARES)
    counts = {model: total * share // weight for model, share in SHARES}
    by_remainder = sorted(SHARES, key=lambda item: -(total * item[1] % weight))
    for model, _ in by_remainder[: total - sum(counts.values())]:
        counts[model] += 1
    if total >= len(SHARES):
        for model in counts:
            if not counts[model]:
                counts[model] = 1
                counts[max(counts, key=counts.get)] -= 1
    return counts


class UniqueValues:
    """Values one column already holds; hands out new ones, numbering a stem until it is free.

    Remembering the last number of each stem keeps a stem used thousands of times from
    rescanning its whole series on every claim.
    """

    def __init__(self, taken):
        self.taken = set(taken)
        self.last_number = {}

    def claim(self, stem, numbered):
        """The first of ``stem``, ``numbered(2)``, ``numbered(3)`` … that is still free."""
        number = self.last_number.get(stem, 1)
        value = stem if number == 1 else numbered(number)
        while value in self.taken:
            number += 1
            value = numbered(number)
        self.last_number[stem] = number
        self.taken.add(value)
        return value


class Synthesizer:
    """Builds one run's records in dependency order, then writes them all in bulk."""

    def __init__(self, seed, reports):
        self.rng = random.Random(seed)
        self.reports = reports  # (report, its sections), earliest first
        self.names = {}
        self.slugs = {}
        self.made = defaultdict(list)
        self.batches = []
        self.links = defaultdict(list)

    def run(self, counts):
        self.make_organizations(counts[Organization])
        self.make_schools(counts[School])
        self.make_zones(counts[Zone])
        self.make_initiatives(counts[Initiative])
        self.make_publications(counts[Publication])
        self.make_awards(counts[Award])
        self.make_figures(counts[Figure])
        self.make_slogans(counts[Slogan])
        self.make_milestones(counts[Milestone])
        self.write_records()
        self.write_links()
        self.write_statements()
        return {model: len(self.made[model]) for model, _ in SHARES}

    # Names, slugs and derived fields

    def fields(self):
        rng = self.rng
        a, b, c = rng.sample(PHRASES, 3)
        return {
            "place": rng.choice(PLACES),
            "topic": rng.choice(TOPICS),
            "brand": rng.choice(BRANDS),
            "event": rng.choice(EVENTS),
            "a": a,
            "b": b,
            "c": c,
        }

    def unique_name(self, model, pattern):
        if model not in self.names:
            self.names[model] = UniqueValues(model._default_manager.values_list("name", flat=True))
        fields = self.fields()
        stem = pattern.plain.format(**fields)
        return self.names[model].claim(
            stem, lambda n: pattern.numbered.format(name=stem, n=chinese_numeral(n), **fields)
        )

    def unique_slug(self, model, base):
        # The series signals.unique_slug walks, checked against memory instead of a query each.
        # pinyin_slug stops at 80 characters, so even a long suffix fits the field's 100.
        if model not in self.slugs:
            self.slugs[model] = UniqueValues(model._default_manager.values_list("slug", flat=True))
        base = base or model._meta.model_name
        return self.slugs[model].claim(base, lambda n: f"{base}-{n}")

    def record(self, model, patterns, **values):
        """An unsaved synthetic record with a fresh name; returns it and the pattern used."""
        pattern = self.rng.choice(patterns)
        record = model(name=self.unique_name(model, pattern), is_synthetic=True, **values)
        first = self.rng.randrange(len(self.reports))
        record.spoken_by = [first]
        if first + 1 < len(self.reports) and self.rng.random() < REPEAT_SHARE:
            record.spoken_by.append(self.rng.randrange(first + 1, len(self.reports)))
        for index in record.spoken_by:
            count = 1 if self.rng.random() < 0.7 else 2
            for section in self.rng.sample(self.reports[index][1], count):
                self.links[model.sources].append((record, section))
        return record, pattern

    def add(self, model, records):
        self.batches.append((model, records))
        self.made[model].extend(records)

    # Picking related records made earlier in this run

    def some(self, model, low, high):
        pool = self.made[model]
        return self.rng.sample(pool, min(self.rng.randint(low, high), len(pool)))

    def maybe(self, model, chance):
        pool = self.made[model]
        return self.rng.choice(pool) if pool and self.rng.random() < chance else None

    def link(self, relation, record, others):
        self.links[relation].extend((record, other) for other in others)

    def partial_date(self, required=False):
        rng = self.rng
        if not required and rng.random() < 0.2:
            return {}
        year = rng.randint(2014, 2024)
        if rng.random() < 0.03:
            # Reports say “今年” or “去年”: only the year can be inferred, and why must be said.
            date, precision = PartialDate.period_start(year)
            return {
                "date": date,
                "date_precision": precision,
                "date_inferred": True,
                "date_inference": rng.choice(INFERENCES),
            }
        precision = rng.choice(DatePrecision.values)
        month = rng.randint(1, 12) if precision != DatePrecision.YEAR else None
        day = None
        if precision == DatePrecision.DAY:
            day = rng.randint(1, calendar.monthrange(year, month)[1])
        date, precision = PartialDate.period_start(year, month, day)
        return {"date": date, "date_precision": precision}

    # One method per model, in dependency order

    def make_organizations(self, count):
        roots = []
        for _ in range(count - count // 4):
            organization, pattern = self.record(Organization, ORGANIZATION_PATTERNS)
            organization.kind = pattern.choice
            roots.append(organization)
        self.add(Organization, roots)
        units = []
        for _ in range(count // 4):
            unit, pattern = self.record(Organization, ORGANIZATION_PATTERNS)
            unit.kind = pattern.choice
            unit.parent = self.rng.choice(roots)
            units.append(unit)
        self.add(Organization, units)

    def make_schools(self, count):
        schools = []
        for _ in range(count):
            school, pattern = self.record(School, SCHOOL_PATTERNS)
            school.stage = pattern.choice
            schools.append(school)
        self.add(School, schools)

    def make_zones(self, count):
        zones = []
        for _ in range(count):
            zone, pattern = self.record(Zone, ZONE_PATTERNS, **self.partial_date())
            zone.level = pattern.choice
            zone.batch = self.rng.choice(BATCHES)
            zone.conferring_body = self.maybe(Organization, 0.5)
            self.link(Zone.partners, zone, self.some(Organization, 1, 3))
            zones.append(zone)
        self.add(Zone, zones)

    def make_initiatives(self, count):
        children = count * 3 // 10
        roots = [self.initiative() for _ in range(count - children)]
        self.add(Initiative, roots)
        siblings = Counter()
        subactions = []
        for _ in range(children):
            parent = self.rng.randrange(len(roots))
            siblings[parent] += 1
            subactions.append(self.initiative(parent=roots[parent], order=siblings[parent]))
        self.add(Initiative, subactions)

    def initiative(self, **values):
        initiative, pattern = self.record(
            Initiative, INITIATIVE_PATTERNS, **self.partial_date(), **values
        )
        initiative.kind = pattern.choice
        self.link(Initiative.zones, initiative, self.some(Zone, 0, 2))
        self.link(Initiative.partners, initiative, self.some(Organization, 0, 3))
        self.link(Initiative.schools, initiative, self.some(School, 1, 4))
        return initiative

    def make_publications(self, count):
        publications = []
        for _ in range(count):
            publication, pattern = self.record(
                Publication, PUBLICATION_PATTERNS, **self.partial_date()
            )
            publication.kind = pattern.choice
            self.link(Publication.initiatives, publication, self.some(Initiative, 1, 2))
            self.link(Publication.organizations, publication, self.some(Organization, 0, 2))
            publications.append(publication)
        self.add(Publication, publications)

    def make_awards(self, count):
        awards = []
        for _ in range(count):
            award, pattern = self.record(Award, AWARD_PATTERNS, **self.partial_date())
            award.level = pattern.choice
            award.grade = self.rng.choice(GRADES)
            award.batch = self.rng.choice(BATCHES)
            award.conferring_body = self.maybe(Organization, 0.5)
            self.link(Award.recipients, award, self.some(School, 1, 3))
            awards.append(award)
        self.add(Award, awards)

    def make_figures(self, count):
        figures = []
        for _ in range(count):
            figure, pattern = self.record(Figure, FIGURE_PATTERNS)
            self.measure(figure, pattern.choice)
            figure.initiative = self.maybe(Initiative, 0.6)
            figure.zone = self.maybe(Zone, 0.2)
            figure.school = self.maybe(School, 0.4)
            figures.append(figure)
        self.add(Figure, figures)

    def measure(self, figure, measure):
        """One value per report that speaks of the figure, each as of its report's year;
        the figure shows the latest."""
        figure.series = []
        for index in figure.spoken_by:
            value = Decimal(self.rng.randint(measure.low, measure.high))
            if measure.tenths:
                value /= 10
            qualifier = self.rng.choices(Qualifier.values, weights=(6, 2, 1, 1))[0]
            date, precision = PartialDate.period_start(FIRST_REPORT_YEAR + index)
            figure.series.append(
                {
                    "value": value,
                    "unit": measure.unit,
                    "qualifier": qualifier,
                    "as_written": f"{qualifier}{format(value.normalize(), 'f')}{measure.unit}",
                    "date": date,
                    "date_precision": precision,
                }
            )
        for name, value in figure.series[-1].items():
            setattr(figure, name, value)
        figure.value_count = len(figure.series)

    def write_statements(self):
        """What each report says of each record, and each report's value of each figure:
        the first report gives the record, a later one repeats it in words of its own."""
        for model, records in self.batches:
            content_type = ContentType.objects.get_for_model(model)
            statements = []
            for record in records:
                for order, index in enumerate(record.spoken_by):
                    report = self.reports[index][0]
                    given = {"name": record.name} if order else {"kind": "synthetic"}
                    statements.append(
                        Statement(
                            report=report,
                            content_type=content_type,
                            object_id=record.pk,
                            position=record.pk,
                            description=REPEAT_WORDS if order else record.description,
                            given=given,
                        )
                    )
            Statement.objects.bulk_create(statements, batch_size=BATCH_SIZE)
        values = []
        for figure in self.made[Figure]:
            for order, index in enumerate(figure.spoken_by):
                report = self.reports[index][0]
                values.append(FigureValue(figure=figure, report=report, **figure.series[order]))
        FigureValue.objects.bulk_create(values, batch_size=BATCH_SIZE)

    def make_slogans(self, count):
        slogans = []
        for _ in range(count):
            slogan, pattern = self.record(Slogan, SLOGAN_PATTERNS)
            slogan.kind = pattern.choice
            slogan.initiative = self.maybe(Initiative, 0.5)
            slogan.zone = self.maybe(Zone, 0.2)
            slogans.append(slogan)
        self.add(Slogan, slogans)

    def make_milestones(self, count):
        milestones = []
        for _ in range(count):
            milestone, _ = self.record(
                Milestone, MILESTONE_PATTERNS, **self.partial_date(required=True)
            )
            self.link(Milestone.zones, milestone, self.some(Zone, 0, 1))
            self.link(Milestone.initiatives, milestone, self.some(Initiative, 1, 2))
            self.link(Milestone.schools, milestone, self.some(School, 0, 2))
            self.link(Milestone.organizations, milestone, self.some(Organization, 0, 1))
            milestones.append(milestone)
        self.add(Milestone, milestones)

    def write_records(self):
        """Save the batches in the order they were made, so parents get ids before children."""
        for model, records in self.batches:
            for record in records:
                # What pre_save would have set: bulk_create sends no signals.
                record.slug = self.unique_slug(model, record.refresh_derived_fields())
            # SQLite and PostgreSQL, the backends settings expect, set the new ids on records.
            model._default_manager.bulk_create(records, batch_size=BATCH_SIZE)
            search_index.index_records(records)

    def write_links(self):
        """Write every many-to-many row at the end, when both sides have ids.

        ``add()`` per record would cost a query or two and an ``m2m_changed`` signal per call.
        """
        for relation, pairs in self.links.items():
            through = relation.through
            source = through._meta.get_field(relation.field.m2m_field_name()).attname
            target = through._meta.get_field(relation.field.m2m_reverse_field_name()).attname
            rows = [through(**{source: a.pk, target: b.pk}) for a, b in pairs]
            through._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)


def synthetic_reports(seed):
    """The reports the records of this seed cite, each with its sections, made on first use."""
    reports = []
    for index, suffix in enumerate(REPORT_SUFFIXES):
        name = f"合成数据（种子{seed}）{suffix}"
        date, precision = PartialDate.period_start(FIRST_REPORT_YEAR + index)
        report, _ = Report.objects.get_or_create(
            name=name,
            defaults={
                "is_synthetic": True,
                "description": "由 synthesize 命令生成，用于规模测试，并非真实报道。",
                "date": date,
                "date_precision": precision,
            },
        )
        if not report.is_synthetic:
            raise CommandError(f"已有一篇真实报道名为“{name}”，请换一个种子。")
        sections = []
        for order, (key, kind, heading) in enumerate(SECTIONS, start=1):
            section, _ = Section.objects.get_or_create(
                report=report, key=key, defaults={"order": order, "kind": kind, "heading": heading}
            )
            sections.append(section)
        reports.append((report, sections))
    return reports


class Command(BaseCommand):
    help = "添加合成数据（is_synthetic），用于规模测试和性能测试；不改动任何真实记录。"

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, required=True, help="要添加的记录条数。")
        parser.add_argument("--seed", type=int, default=0, help="随机种子，默认 0。")

    def handle(self, *args, records, seed, **options):
        if records < 1:
            raise CommandError(f"--records 须为正整数，收到的是 {records}。")
        with transaction.atomic():
            reports = synthetic_reports(seed)
            counts = Synthesizer(seed, reports).run(allocate(records))
            # bulk_create sends no signals, so cached pages must be told here.
            versioning.bump()
        versioning.refresh_statistics()
        if options["verbosity"] >= 1:
            made = "、".join(f"{model._meta.verbose_name} {n}" for model, n in counts.items())
            cited = "、".join(f"“{report}”" for report, _ in reports)
            self.stdout.write(f"已添加 {sum(counts.values())} 条合成记录（出处{cited}）：{made}")
