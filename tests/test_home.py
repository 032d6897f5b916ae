import pytest
from django.urls import reverse

from reforms.models import School

pytestmark = pytest.mark.django_db


def test_home_page_shows_what_is_loaded(client, report_data):
    response = client.get(reverse("home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in page
    assert "南岸教育改革门户" in page
    count = School.objects.genuine().count()
    assert (
        f'<span class="counts__label">学校</span><span class="counts__value">{count}</span>' in page
    )


def test_home_counts_agree_with_the_list_pages(client, report_data):
    School.objects.create(name="合成小学", stage="primary", is_synthetic=True)

    page = client.get(reverse("home")).content.decode()
    listing = client.get("/schools/").content.decode()

    assert '<span class="counts__label">学校</span><span class="counts__value">9</span>' in page
    assert "共 <strong>9</strong> 条" in listing
