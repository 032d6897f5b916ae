"""The fixtures say what the report says: nothing missing, nothing invented, doubt kept visible."""

import re

import pytest

from reforms.models import (
    NAMED_MODELS,
    Award,
    Figure,
    Initiative,
    Level,
    Milestone,
    Organization,
    Publication,
    Qualifier,
    Report,
    School,
    Section,
    Slogan,
    Zone,
)

from .conftest import REPORT_TEXT

pytestmark = pytest.mark.django_db

# Line breaks and the typesetter's spaces ("全 市 仅 4 个") are not part of the wording.
REPORT = re.sub(r"\s+", "", REPORT_TEXT)
REPORT_TITLE = "南岸教育综合改革绘就一派好风景"


def flat(text):
    return re.sub(r"\s+", "", text)


def test_the_report_itself(report_data):
    report = Report.objects.get()
    assert report.name == REPORT_TITLE
    assert report.subtitle == "深化改革创新 推动南岸教育优质均衡发展"
    assert report.authors == "何霜 杜林燕 张骞月"
    assert "南岸区教委" in report.photo_credit
    # The text names no newspaper or date: none is invented, the year is marked inferred.
    assert report.publisher == ""
    assert report.date_display == "2022年"
    assert report.date_inferred and "2022" in report.date_inference


def test_every_part_of_the_page_is_a_section(report_data):
    sections = Section.objects.filter(report__name=REPORT_TITLE)
    kinds = list(sections.values_list("kind", flat=True))
    assert kinds.count("section") == 4
    assert kinds.count("sidebar") == 2
    assert kinds.count("caption") == 3
    assert sections.get(key="s3").subheading == "筑牢孩子身心健康幸福港湾"
    assert sections.get(key="sidebar-1").heading == "提升督导效能 赋能教育优质均衡发展"


def test_the_eight_institutions(report_data):
    assert set(School.objects.values_list("name", flat=True)) == {
        "重庆市特殊教育中心",
        "珊瑚实验小学",
        "龙门浩职业中学",
        "教师进修学院",
        "天台岗雅居乐小学",
        "南坪实验幼儿园",
        "珊瑚中学",
        "重庆十一中学",
    }
    assert "十一中" in School.objects.get(name="重庆十一中学").alias_list
    assert School.objects.get(name="教师进修学院").ambiguity


def test_five_of_the_six_zones_are_named(report_data):
    assert Zone.objects.count() == 5
    six = Figure.objects.get(name="教育实验区数量")
    assert (six.as_written, six.value) == ("6大", 6)
    # Two more names may be zones of their own: the count of named zones is left open.
    assert "只点名了五个" not in six.ambiguity
    assert "重庆市中外人文交流实验区" in six.ambiguity
    assert "新型教与学模式" in six.ambiguity


def test_the_hosting_years_go_with_the_municipal_designation(report_data):
    # In the sidebar 连续3年承办 follows 重庆市中外人文交流实验区（全市仅4个）.
    zone = Zone.objects.get(name="全国中外人文交流实验区")
    assert "以此身份" not in zone.description
    assert "作为“重庆市中外人文交流实验区”" in zone.description
    hosting = Initiative.objects.get(name="教育部中外人文交流中心系列活动")
    assert "重庆市中外人文交流实验区" in hosting.description


def test_the_cultural_exchange_zone_level_stays_contradictory(report_data):
    zone = Zone.objects.get(name="全国中外人文交流实验区")
    assert zone.level == Level.CONFLICTING
    assert "重庆市中外人文交流实验区" in zone.alias_list
    assert "全市仅4个" in flat(zone.ambiguity) or "仅4个" in flat(zone.ambiguity)


def test_myopia_zone_is_national_and_first_batch(report_data):
    zone = Zone.objects.get(name="全国儿童青少年近视防控改革试验区")
    assert (zone.level, zone.batch) == (Level.NATIONAL, "首批")


def test_teaching_award_does_not_say_who_got_which_grade(report_data):
    award = Award.objects.get(name="2021年重庆市教学成果奖")
    assert award.grade == "特等奖、一等奖"
    assert award.date_display == "2021年"
    assert set(award.recipients.values_list("name", flat=True)) == {
        "重庆市特殊教育中心",
        "珊瑚实验小学",
        "龙门浩职业中学",
        "教师进修学院",
    }
    assert "特等奖" in award.ambiguity
    assert award.conferring_body is None


def test_yajule_primary_school_honours(report_data):
    school = School.objects.get(name="天台岗雅居乐小学")
    honours = set(school.awards.values_list("name", flat=True))
    assert honours == {"教育部首批中小学心理健康教育特色学校", "南岸区未成年人心理健康辅导中心"}
    first_batch = Award.objects.get(name="教育部首批中小学心理健康教育特色学校")
    assert first_batch.batch == "首批"
    assert first_batch.conferring_body.name == "教育部"


def test_the_six_myopia_actions_in_order(report_data):
    six = Initiative.objects.get(name="六大行动")
    assert list(six.children.order_by("order").values_list("name", flat=True)) == [
        "“护眼校园”达标",
        "“视力家加佳”",
        "“南岸云眼”",
        "“精准干预”",
        "“我是启明星”",
        "“昕视界·新未来”主题宣传",
    ]


@pytest.mark.parametrize(
    "as_written, value, unit, qualifier",
    [
        ("超6000人", 6000, "人", Qualifier.OVER),
        ("近2500名", 2500, "名", Qualifier.NEARLY),
        ("100%", 100, "%", Qualifier.EXACT),
        ("30所", 30, "所", Qualifier.EXACT),
        ("26所", 26, "所", Qualifier.EXACT),
        ("28套", 28, "套", Qualifier.EXACT),
        ("2本", 2, "本", Qualifier.EXACT),
    ],
)
def test_key_figures_are_copied_exactly(report_data, as_written, value, unit, qualifier):
    figure = Figure.objects.get(as_written=as_written)
    assert (figure.value, figure.unit, figure.qualifier) == (value, unit, qualifier)


def test_the_two_books_and_the_policy_documents(report_data):
    titles = set(Publication.objects.values_list("name", flat=True))
    assert "《激活教育“神经末梢”——南岸创新联动片区机制下校内督导实践研究》" in titles
    assert "《教育治理现代化视域下教育督导责任区督学挂牌督导实践研究》" in titles
    assert "《南岸区大力推进政校家社协同育人工作的指导意见》" in titles
    assert Publication.objects.filter(kind="book").count() == 2


@pytest.mark.parametrize(
    "shown, inferred",
    [
        ("2014年", False),
        ("2020年12月", False),
        ("2021年3月", False),
        ("2021年", True),
        ("2021年10月", False),
        ("2022年6月1日", True),
        ("2022年7月2日", True),
    ],
)
def test_milestone_dates_at_their_own_precision(report_data, shown, inferred):
    matching = [m for m in Milestone.objects.all() if m.date_display == shown]
    assert matching, f"no milestone on {shown}"
    for milestone in matching:
        assert milestone.date_inferred is inferred
        assert bool(milestone.date_inference) is inferred


def test_every_implied_year_is_marked_with_a_reason(report_data):
    summer = Initiative.objects.get(name__contains="暑期培训")
    dingding = Initiative.objects.get(name="钉钉·南岸教育信息化应用创新实验室")
    for record in (summer, dingding):
        assert record.date_inferred and record.date.year == 2022
        assert record.date_inference
    assert Figure.objects.get(as_written="超6000人").initiative == summer


def test_a_year_read_from_a_name_is_marked_inferred(report_data):
    # 2021年重庆市教学成果奖 and 2021年中国教育科学论坛 date an award and a forum, not the
    # events recorded: one rule for all three records, each saying where the year comes from.
    from_names = [
        Award.objects.get(name="2021年重庆市教学成果奖"),
        Milestone.objects.get(name="南岸区四家单位获2021年重庆市教学成果奖"),
        Milestone.objects.get(name="南岸区督导经验在“2021年中国教育科学论坛”现场交流"),
    ]
    for record in from_names:
        assert record.date_display == "2021年"
        assert record.date_inferred, record.name
        assert "取自" in record.date_inference and "名称" in record.date_inference, record.name
    year_only = [
        record
        for model in (Award, Milestone, Initiative, Zone, Publication)
        for record in model.objects.filter(date__year=2021, date_precision="year")
    ]
    assert sorted(record.name for record in year_only) == sorted(r.name for r in from_names)


def test_the_institutes_current_english_name(report_data):
    # Its own English site: renamed in 2021, when it merged with the National Education
    # Development Research Center.
    institute = Organization.objects.get(name="中国教育科学研究院")
    assert institute.name_en == "China National Academy of Educational Sciences"


def test_beijing_normal_university_is_the_institutes_parent(report_data):
    university = Organization.objects.get(name="北京师范大学")
    assert university.kind == "university"
    institute = Organization.objects.get(name="北京师范大学心理健康与教育研究所")
    assert institute.parent == university


def test_the_studio_was_set_up_by_nanan_not_a_partner(report_data):
    # 成立“边玉芳团队名师工作室”: Nan'an set it up; the report names no partnership with it.
    studio = Organization.objects.get(name="边玉芳团队名师工作室")
    assert not studio.initiatives.exists()
    assert "南岸区" in studio.description and "成立" in studio.description
    programme = Initiative.objects.get(name="心理健康教育")
    assert set(programme.partners.values_list("name", flat=True)) == {
        "北京师范大学心理健康与教育研究所"
    }


def test_the_three_principles_are_tied_to_no_initiative(report_data):
    # The report states them for Nan'an in general, in the section on course leadership.
    principles = Slogan.objects.filter(kind="principle")
    assert set(principles.values_list("name", flat=True)) >= {
        "整体规划，全域参与",
        "项目组群，协同推进",
        "区校联动，共建共享",
    }
    for principle in principles.filter(
        name__in=["整体规划，全域参与", "项目组群，协同推进", "区校联动，共建共享"]
    ):
        assert principle.initiative is None
        assert "3.0行动" not in principle.description


def test_the_partners_named_in_the_report(report_data):
    names = set(Organization.objects.values_list("name", flat=True))
    assert {
        "中国教育科学研究院",
        "南岸区人民政府",
        "南岸区教委",
        "教育部基础教育课程教材研究所",
        "北京师范大学心理健康与教育研究所",
        "北京师范大学",
        "阿里云教育",
    } <= names
    lab = Initiative.objects.get(name="钉钉·南岸教育信息化应用创新实验室")
    assert set(lab.partners.values_list("name", flat=True)) == {"南岸区教委", "阿里云教育"}


def test_the_vision_is_recorded(report_data):
    assert Slogan.objects.get(name="书香南岸 幸福教育").kind == "vision"


@pytest.mark.parametrize("model", NAMED_MODELS, ids=lambda m: m.__name__)
def test_every_record_cites_its_section(report_data, model):
    if model is Report:
        assert Report.objects.get().sections.count() == 14
        return
    uncited = model.objects.filter(sources__isnull=True).values_list("name", flat=True)
    assert list(uncited) == []


COPIED_BY_NAME = (Organization, School, Zone, Initiative, Publication, Award, Slogan, Report)


@pytest.mark.parametrize("model", COPIED_BY_NAME, ids=lambda m: m.__name__)
def test_names_are_copied_from_the_report(report_data, model):
    for record in model.objects.all():
        for name in [record.name, *record.alias_list]:
            assert flat(name) in REPORT, f"{model.__name__} “{name}” is not in the report"


def test_figures_are_written_as_in_the_report(report_data):
    for figure in Figure.objects.all():
        assert flat(figure.as_written) in REPORT, figure.as_written


def exact_wordings():
    """Names and quoted terms, which descriptions may repeat; everything else is paraphrased."""
    wordings = set(re.findall(r"“[^”]+”", REPORT)) | set(re.findall(r"《[^》]+》", REPORT))
    wordings |= {quoted[1:-1] for quoted in wordings}
    for model in NAMED_MODELS:
        for record in model.objects.all():
            wordings.update(flat(name) for name in [record.name, *record.alias_list])
    wordings.update(flat(figure.as_written) for figure in Figure.objects.all())
    for section in Section.objects.all():
        wordings.update(flat(text) for text in (section.heading, section.subheading) if text)
    return sorted(wordings, key=len, reverse=True)


def longest_copied_run(text, source):
    best = ""
    for start in range(len(text)):
        end = start + len(best) + 1
        while end <= len(text) and text[start:end] in source:
            best = text[start:end]
            end += 1
    return best


MAX_COPIED_CHARACTERS = 13


def test_descriptions_are_in_our_own_words(report_data):
    wordings = exact_wordings()
    texts = [
        (str(record), text)
        for model in NAMED_MODELS
        for record in model.objects.all()
        for text in (record.description, record.ambiguity)
    ]
    texts += [(str(section), section.summary) for section in Section.objects.all()]
    copied = []
    for where, text in texts:
        stripped = flat(text)
        for wording in wordings:
            stripped = stripped.replace(wording, "|")
        run = longest_copied_run(stripped, REPORT)
        if len(run) > MAX_COPIED_CHARACTERS:
            copied.append((where, run))
    assert copied == []
