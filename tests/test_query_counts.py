"""Every public page costs the same number of queries whatever the size of the data."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reforms.models import NAMED_MODELS, Award, Initiative, Milestone, Organization, School, Zone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def pages():
    zone = Zone.objects.genuine().get(name="全国儿童青少年近视防控改革试验区")
    return [
        "/",
        "/search/?q=近视",
        "/search/?q=珊瑚 小学",
        "/search/?q=shanhu",
        "/milestones/",
        f"/milestones/?zone={zone.slug}&year=2021",
        "/zones/",
        "/initiatives/",
        f"/initiatives/?zone={zone.slug}&sort=-name&kind=action",
        "/schools/?sort=-name&page=1",
        "/awards/?level=municipal",
        "/organizations/",
        "/figures/",
        "/reports/",
        "/publications/",
        "/slogans/",
        School.objects.get(name="天台岗雅居乐小学").get_absolute_url(),
        Organization.objects.get(name="中国教育科学研究院").get_absolute_url(),
        zone.get_absolute_url(),
        Initiative.objects.get(name="六大行动").get_absolute_url(),
        Award.objects.get(name="2021年重庆市教学成果奖").get_absolute_url(),
        Milestone.objects.genuine().first().get_absolute_url(),
        "/reports/nan-an-jiao-yu-zong-he-gai-ge-hui-jiu-yi-pai-hao-feng-jing/",
    ]


def query_counts(client, urls):
    # Content types are read once per process and kept; synthesize would read them between
    # the two measures, so read them before both.
    ContentType.objects.get_for_models(*NAMED_MODELS)
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


@pytest.mark.long
def test_query_counts_do_not_grow_with_the_data(client, report_data):
    urls = pages()
    small = query_counts(client, urls)

    call_command("synthesize", records=1500, seed=2, verbosity=0)
    large = query_counts(client, urls)

    assert large == small


def test_no_page_needs_more_than_a_few_dozen_queries(
    client, report_data, django_assert_max_num_queries
):
    for url in pages():
        with django_assert_max_num_queries(30):
            client.get(url)


@pytest.mark.long
def test_pages_of_several_reports_cost_the_same_whatever_the_size_of_the_data(
    client, report_data, tmp_path, django_capture_on_commit_callbacks
):
    from reforms.models import Figure, Report

    from .test_report_pages import SECOND, SECOND_REPORT, load

    load(tmp_path, "second", SECOND_REPORT, django_capture_on_commit_callbacks)
    second = Report.objects.get(name=SECOND)
    urls = [
        *pages(),
        second.get_absolute_url(),
        Figure.objects.get(name="项目学校数").get_absolute_url(),
        School.objects.get(name="珊瑚实验小学").get_absolute_url(),
        f"/schools/?report={second.slug}",
        f"/figures/?report={second.slug}&unit=所",
    ]
    small = query_counts(client, urls)

    call_command("synthesize", records=1500, seed=2, verbosity=0)
    large = query_counts(client, urls)

    assert large == small
    assert max(small.values()) <= 30
