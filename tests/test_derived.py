"""Facet counts kept in ``FacetCount`` are exactly what counting afresh gives, after loads,
admin edits and removals; the table stays bounded and never fails a page."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from reforms.models import FacetCount, FacetCountQuerySet, School
from reforms.registry import COLLECTIONS

from .test_hardening import form_data
from .test_reports import FIRST, SECOND, B, load

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def shown(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return [
        (facet.name, [(option.value, option.label, option.count) for option in facet.options])
        for facet in response.context["facets"]
    ]


def fresh(client, url, read=shown):
    """What ``read`` finds on a page (its facets, unless told) counted with nothing kept."""
    FacetCount.objects.all().delete()
    counted = read(client, url)
    FacetCount.objects.all().delete()
    return counted


def kept(client, url, read=shown, rows=FacetCount.objects):
    """What ``read`` finds on a page (its facets, unless told) read back from what an earlier
    request kept among ``rows``."""
    read(client, url)
    assert rows.exists(), url
    return read(client, url)


def pages_of_every_kind():
    return [collection.list_url for collection in COLLECTIONS]


@pytest.mark.long
def test_kept_counts_are_the_fresh_counts_on_every_list_and_under_a_filter(client, report_data):
    checked = 0
    for url in pages_of_every_kind():
        assert kept(client, url) == fresh(client, url)
        for name, options in shown(client, url):
            if options:
                narrowed = f"{url}?{name}={options[0][0]}"
                assert kept(client, narrowed) == fresh(client, narrowed)
                checked += 1
    assert checked >= 8


def test_a_page_reads_kept_counts_without_grouping_again(
    client, report_data, django_assert_max_num_queries
):
    shown(client, "/initiatives/")
    with django_assert_max_num_queries(6) as queries:
        shown(client, "/initiatives/")
    assert not any("GROUP BY" in query["sql"] for query in queries.captured_queries)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a change as if its transaction committed: the data version moves on at commit,
    and the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_load_moves_the_counts_on(client, tmp_path, db, committed):
    with committed():
        load(tmp_path, FIRST)
    before = kept(client, "/schools/")
    with committed():
        load(tmp_path, SECOND)
    after = shown(client, "/schools/")
    assert after != before
    assert after == fresh(client, "/schools/")
    assert dict(after)["report"], "a second report makes the report facet appear"


def test_an_admin_edit_moves_the_counts_on(client, staff_client, report_data, committed):
    before = dict(kept(client, "/schools/"))
    school = School.objects.filter(stage="primary").first()
    data = form_data(staff_client.get(f"/admin/reforms/school/{school.pk}/change/"))
    data["stage"] = "secondary"
    with committed():
        response = staff_client.post(f"/admin/reforms/school/{school.pk}/change/", data)
    assert response.status_code == 302
    after = dict(shown(client, "/schools/"))
    stage_before = {value: count for value, _, count in before["stage"]}
    stage_after = {value: count for value, _, count in after["stage"]}
    assert stage_after["primary"] == stage_before["primary"] - 1
    assert list(after.items()) == fresh(client, "/schools/")


def test_a_removal_moves_the_counts_on(client, tmp_path, db, committed):
    with committed():
        load(tmp_path, FIRST, SECOND)
    with_second = kept(client, "/schools/")
    with committed():
        call_command("removereport", B, noinput=True, stdout=io.StringIO())
    without = shown(client, "/schools/")
    assert without != with_second
    assert without == fresh(client, "/schools/")


def test_a_filter_given_twice_counts_as_its_last_value_reads(client, report_data):
    stages = [value for value, _, _ in dict(shown(client, "/schools/"))["stage"]]
    assert len(stages) >= 2
    first, second = stages[:2]
    one_way = shown(client, f"/schools/?stage={first}&stage={second}")
    other_way = shown(client, f"/schools/?stage={second}&stage={first}")
    assert one_way == fresh(client, f"/schools/?stage={first}&stage={second}")
    assert other_way == fresh(client, f"/schools/?stage={second}&stage={first}")


def test_text_queries_are_counted_each_time_and_never_kept(client, report_data):
    shown(client, "/schools/?q=%E5%AE%9E%E9%AA%8C")
    assert not FacetCount.objects.filter(filters__contains="q=").exists()


def test_the_table_stops_growing_at_its_bound_and_pages_still_count(
    client, report_data, monkeypatch
):
    monkeypatch.setattr(FacetCount, "MAX_KEPT", 3)
    first = {url: shown(client, url) for url in pages_of_every_kind()}
    most_facets = max(len(c.filterset_class.facet_specs) for c in COLLECTIONS)
    # A page stores its facets together once it sees room, so it may pass the bound by one
    # page's facets, never more.
    assert 3 <= FacetCount.objects.count() <= 3 + most_facets
    # Past the bound a page counts for itself each time, and counts right.
    for url in pages_of_every_kind():
        assert shown(client, url) == first[url] == fresh(client, url)


def test_a_failing_write_never_fails_the_page(client, report_data, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(FacetCountQuerySet, "keep", refuse)
    assert shown(client, "/schools/") == fresh(client, "/schools/")
    assert not FacetCount.objects.exists()


# The search page keeps what a one-word search finds in the same table.
WORDS = ["实验", "学校", "近视", "南", "龘"]


def searched(client, word):
    response = client.get("/search/", {"q": word})
    assert response.status_code == 200, word
    return [
        (group.collection.slug, group.count, [record.name for record in group.results])
        for group in response.context["groups"]
    ]


def searched_fresh(client, word):
    return fresh(client, word, searched)


def searched_kept(client, word):
    return kept(client, word, searched, FacetCount.objects.filter(facet=FacetCount.SEARCH))


def test_kept_search_groups_are_the_fresh_ones(client, report_data, django_assert_max_num_queries):
    for word in WORDS:
        assert searched_kept(client, word) == searched_fresh(client, word), word
    assert searched_fresh(client, "实验"), "a common word finds records"
    searched(client, "实验")
    # The data version, the kept groups, and their records of every collection at once.
    with django_assert_max_num_queries(3) as queries:
        searched(client, "实验")
    # Read back, not ranked from the index again.
    assert not any("searchgram" in query["sql"] for query in queries.captured_queries)


def test_an_admin_edit_moves_the_search_on(client, staff_client, report_data, committed):
    before = searched_kept(client, "近视")
    school = School.objects.exclude(name__contains="近视").order_by("sort_key").last()
    data = form_data(staff_client.get(f"/admin/reforms/school/{school.pk}/change/"))
    data["name"] = f"{school.name}近视防控"
    with committed():
        response = staff_client.post(f"/admin/reforms/school/{school.pk}/change/", data)
    assert response.status_code == 302
    after = searched(client, "近视")
    assert after != before
    assert f"{school.name}近视防控" in dict((slug, names) for slug, _, names in after)["schools"]
    assert after == searched_fresh(client, "近视")


def test_loads_and_removals_move_the_search_on(client, tmp_path, db, committed):
    with committed():
        load(tmp_path, FIRST)
    first = {word: searched_kept(client, word) for word in WORDS}
    with committed():
        load(tmp_path, SECOND)
    second = {word: searched_kept(client, word) for word in WORDS}
    assert second == {word: searched_fresh(client, word) for word in WORDS}
    with committed():
        call_command("removereport", B, noinput=True, stdout=io.StringIO())
    assert {word: searched(client, word) for word in WORDS} == first
    assert first == {word: searched_fresh(client, word) for word in WORDS}


def test_a_record_gone_since_its_search_was_kept_is_left_out(client, report_data):
    before = searched_kept(client, "实验")
    schools = dict((slug, names) for slug, _, names in before)["schools"]
    # As a deletion committing between a request's reading the kept ids and its records:
    # an id is kept whose record is no longer there.
    kept = FacetCount.objects.get(facet=FacetCount.SEARCH, collection="reforms.School")
    total, ids = kept.rows
    kept.rows = [total, [max(School.objects.values_list("pk", flat=True)) + 1, *ids]]
    kept.save()
    after = dict((slug, names) for slug, _, names in searched(client, "实验"))["schools"]
    assert after == schools
