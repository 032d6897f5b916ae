"""A facet option's count is exactly the number of records its link lists, alone or combined
with another filter, for every kind of facet: a column, a year, a relation in either
direction and a foreign key."""

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import resolve

from reforms.models import Initiative, School
from reforms.registry import COLLECTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_data(report_data, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    call_command("synthesize", records=400, seed=5, verbosity=0)


def facets_and_total(url):
    """The facets and the number of records of the list page at ``url``, as its view hands
    them to its template.

    Taken from the view, unrendered: these tests ask for some 1,300 pages, and how the pages
    show them is checked where every facet link is followed and rendered (tests/test_site.py).
    """
    request = RequestFactory().get(url)
    match = resolve(request.path_info)
    # The served page sees only the parameters its view reads (ReadQueryOnlyMiddleware): an
    # option's link naming any other would list something else than the view gives here.
    assert set(QueryDict(request.META["QUERY_STRING"])) <= match.func.query_parameters, url
    response = match.func(request, *match.args, **match.kwargs)
    assert response.status_code == 200, url
    return response.context_data["facets"], response.context_data["table"].paginator.count


def check_options(path, facets):
    checked = 0
    for facet in facets:
        for option in facet.options:
            _, total = facets_and_total(f"{path}?{option.query}")
            assert total == option.count, (path, facet.name, option.value)
            checked += 1
    return checked


@pytest.mark.long
def test_every_option_of_every_facet_counts_what_its_link_lists(varied_data):
    for collection in COLLECTIONS:
        path = collection.list_url
        facets, _ = facets_and_total(path)
        check_options(path, facets)


@pytest.mark.long
def test_options_under_another_filter_count_within_it(varied_data):
    checked = 0
    for collection in COLLECTIONS:
        path = collection.list_url
        facets, _ = facets_and_total(path)
        for facet in facets:
            if not facet.options:
                continue
            narrowed, narrowed_total = facets_and_total(f"{path}?{facet.options[0].query}")
            others = [other for other in narrowed if other.name != facet.name]
            for other in others:
                # Every option under a filter is a subset of that filter's records.
                assert all(option.count <= narrowed_total for option in other.options)
            checked += check_options(path, others)
    assert checked > 50


def test_most_common_options_come_first_with_ties_in_pinyin_order(varied_data):
    facets, _ = facets_and_total("/initiatives/")
    schools = next(facet for facet in facets if facet.name == "school")
    counts = [option.count for option in schools.options]
    assert counts == sorted(counts, reverse=True)
    most = max(
        School.objects.all(), key=lambda school: Initiative.objects.filter(schools=school).count()
    )
    assert counts[0] == Initiative.objects.filter(schools=most).count()
    for before, after in zip(schools.options, schools.options[1:], strict=False):
        if before.count == after.count:
            assert before.value < after.value
