"""The n-gram index answers exactly what a substring search would, and follows every write."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from reforms import versioning
from reforms.models import NAMED_MODELS, Initiative, School
from reforms.search.index import SearchGram, kind_of, ranked_by_place
from reforms.search.ranking import MatchRank
from reforms.search.results import ranked_matches, search_everything
from reforms.search.terms import grams, single_gram

pytestmark = pytest.mark.django_db


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_grams_are_characters_and_pairs_within_words():
    assert grams("近视 防控") == {"近", "视", "近视", "防", "控", "防控"}
    assert grams("3.0行动") >= {"3.", ".0", "0行"}


def test_loaddata_fills_the_index(report_data):
    school = School.objects.get(name="重庆十一中学")
    indexed = set(
        SearchGram.objects.filter(kind=kind_of(School), record_id=school.pk).values_list(
            "gram", flat=True
        )
    )
    assert {"十一", "一中"} <= indexed  # from the name and the alias 十一中


@pytest.mark.parametrize(
    "query, expected",
    [
        ("钉", {"钉钉·南岸教育信息化应用创新实验室"}),
        ("六大", {"六大行动"}),
        ("3.0", {"课程领导力建设3.0行动"}),
        ("护眼校园", {"“护眼校园”达标"}),
    ],
)
def test_queries_of_every_length_match_as_substrings(report_data, query, expected):
    found = names(Initiative.objects.matching(query))
    assert expected <= found
    for name in found:
        record = Initiative.objects.get(name=name)
        text = f"{record.name}\n{record.aliases}\n{record.description}".lower()
        assert query.lower() in text


def test_pairs_in_different_places_do_not_make_a_match(db):
    School.objects.create(name="甲乙学校", stage="primary", description="乙丙")
    School.objects.create(name="甲乙丙学校", stage="primary")

    assert names(School.objects.matching("甲乙丙")) == {"甲乙丙学校"}


def test_the_index_follows_edits_and_deletes(db):
    school = School.objects.create(name="长生桥小学", stage="primary")
    assert names(School.objects.matching("长生")) == {"长生桥小学"}

    school.name = "迎龙小学"
    school.save()
    assert names(School.objects.matching("长生")) == set()
    assert names(School.objects.matching("迎龙")) == {"迎龙小学"}

    school.delete()
    assert not SearchGram.objects.exists()


def test_synthetic_records_are_indexed(db):
    call_command("synthesize", records=50, seed=1, verbosity=0)
    school = School.objects.filter(is_synthetic=True).first()

    assert school in School.objects.matching(school.name[:2])
    assert SearchGram.objects.filter(kind=kind_of(School), record_id=school.pk).exists()


def test_a_kind_in_the_index_keeps_its_meaning_whatever_the_order_of_the_models(db, monkeypatch):
    school = School.objects.create(name="长生桥小学", stage="primary")
    assert set(SearchGram.objects.values_list("kind", flat=True)) == {"school"}

    # Reordering the models (or adding one before School) used to renumber every kind.
    monkeypatch.setattr("reforms.models.NAMED_MODELS", tuple(reversed(NAMED_MODELS)))
    assert {kind_of(model) for model in NAMED_MODELS} == {
        model._meta.model_name for model in NAMED_MODELS
    }
    assert names(School.objects.matching("长生")) == {school.name}
    assert not Initiative.objects.matching("长生").exists()


def test_pinyin_matches_the_start_of_a_name(report_data):
    assert "珊瑚实验小学" in names(School.objects.matching("shanhu"))
    assert "天台岗雅居乐小学" in names(School.objects.matching("ttg"))
    assert "天台岗雅居乐小学" in names(School.objects.matching("TianTai"))


def test_rebuild_restores_an_index_changed_around_the_signals(report_data):
    School.objects.filter(name="珊瑚中学").update(description="一段绕过信号写入的说明")
    assert not School.objects.matching("绕过信号").exists()

    call_command("rebuild_search_index", verbosity=0)

    assert names(School.objects.matching("绕过信号")) == {"珊瑚中学"}
    assert "珊瑚实验小学" in names(School.objects.matching("珊瑚"))


def ranking(records):
    return [(record.pk, record.match_rank, record.total_matches) for record in records]


def test_a_one_word_search_ranks_from_the_index_as_the_names_would(report_data):
    call_command("synthesize", records=300, seed=2, verbosity=0)
    School.objects.create(name="实验", stage="other")
    School.objects.create(name="实验学校", stage="other")
    School.objects.create(name="南岸实验", stage="other")
    School.objects.create(name="甲校", stage="other", aliases="实验")
    School.objects.create(name="乙校", stage="other", description="做过实验")
    School.objects.create(name="5G学校", stage="other")
    common = (
        SearchGram.objects.values_list("gram", flat=True)
        .annotate(records=Count("id"))
        .order_by("-records", "gram")[:25]
    )
    words = {*common, "实验", "近视", "钉", "5g", "5G", "验"}
    for word in [word for word in words if single_gram(word)]:
        for model in NAMED_MODELS:
            from_index = ranked_by_place(model, single_gram(word), 1000)
            by_names = ranked_matches(model, word)
            assert ranking(from_index) == ranking(by_names), (word, model)

    schools = {record.name: record.match_rank for record in ranked_by_place(School, "实验", 1000)}
    assert [schools[name] for name in ("实验", "实验学校", "南岸实验", "甲校", "乙校")] == [
        MatchRank.NAME,
        MatchRank.NAME_START,
        MatchRank.IN_NAME,
        MatchRank.IN_KEYS,
        MatchRank.IN_TEXT,
    ]
    assert next(iter(schools)) == "实验"


def test_only_a_single_short_word_is_ranked_from_the_index():
    assert single_gram("近视") == "近视"
    assert single_gram(" 5G ") == "5g"
    assert single_gram("钉") == "钉"
    assert single_gram("珊瑚 小学") is None
    assert single_gram("护眼校园") is None
    assert single_gram("ttg") is None
    assert single_gram("") is None


def test_a_one_word_search_puts_name_matches_first_in_any_alphabet(db):
    # 阿校 comes first in pinyin order, and would come first if both ranked alike.
    School.objects.create(name="阿校", stage="other", description="Ä类课程")
    School.objects.create(name="Ä类学校", stage="other")

    version = versioning.current()[0]
    # Ranked afresh, then read back as kept for the data version: the same either way.
    for _ in range(2):
        (schools,) = search_everything("ä", version)

        assert [record.name for record in schools.results] == ["Ä类学校", "阿校"]
        assert schools.count == 2


def test_a_load_indexes_every_record_as_rebuilding_the_index_would(report_data):
    # A load indexes its records once, at its end, not at each save.
    def index_rows():
        return sorted(SearchGram.objects.values_list("kind", "gram", "record_id", "place"))

    loaded = index_rows()
    assert len(loaded) > 10_000
    call_command("rebuild_search_index", verbosity=0)
    assert index_rows() == loaded
