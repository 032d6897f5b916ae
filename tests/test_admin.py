import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.urls import reverse

from reforms.admin import DatedRecordAdmin, RecordAdmin, register_collections
from reforms.models import NAMED_MODELS, Milestone, School, Section, Zone
from reforms.registry import COLLECTIONS

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [*NAMED_MODELS, Section]


def test_every_model_is_in_the_admin():
    assert set(ADMIN_MODELS) <= set(admin.site._registry)


def test_a_kind_without_an_admin_of_its_own_gets_the_shared_one():
    site = AdminSite()
    register_collections(site)
    assert {collection.model for collection in COLLECTIONS} == set(site._registry)
    assert isinstance(site._registry[Zone], DatedRecordAdmin)
    assert isinstance(site._registry[School], RecordAdmin)
    assert not isinstance(site._registry[School], DatedRecordAdmin)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_admin_pages_load_with_the_report_loaded(staff_client, report_data, model):
    opts = model._meta
    changelist = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    add = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    record = model.objects.first()
    change = staff_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    )

    assert (changelist.status_code, add.status_code, change.status_code) == (200, 200, 200)
    assert str(opts.verbose_name_plural) in changelist.content.decode()


def test_admin_is_in_chinese(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "南岸教育改革门户" in page
    assert "学校及机构" in page and "改革举措" in page


def test_the_login_lock_out_section_is_in_chinese(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "登录保护" in page and "登录尝试" in page and "登录失败记录" in page
    assert "Axes" not in page and "Access attempts" not in page and "Model name" not in page
    attempts = staff_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Access attempts" not in attempts and "登录尝试" in attempts


def test_changelist_search_finds_chinese_substrings_and_pinyin(staff_client, report_data):
    url = reverse("admin:reforms_school_changelist")

    by_characters = staff_client.get(url, {"q": "珊瑚"}).context["cl"].result_count
    by_pinyin = staff_client.get(url, {"q": "shanhu"}).context["cl"].result_count

    assert by_characters == 2
    assert by_pinyin == 2


def test_filters_show_counts(staff_client, report_data):
    page = staff_client.get(reverse("admin:reforms_school_changelist")).content.decode()
    assert "小学 (" in page


def test_autocomplete_answers_for_related_records(staff_client, report_data):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "十一",
            "app_label": "reforms",
            "model_name": "initiative",
            "field_name": "schools",
        },
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["重庆十一中学"]


def test_editor_saves_a_milestone_with_a_month_precise_date(staff_client):
    response = staff_client.post(
        reverse("admin:reforms_milestone_add"),
        {
            "name": "某校挂牌",
            "date_year": "2021",
            "date_month": "10",
            "date_day": "",
            "description": "",
            "ambiguity": "",
            "aliases": "",
            "slug": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    milestone = Milestone.objects.get(name="某校挂牌")
    assert milestone.date_display == "2021年10月"
    assert milestone.slug == "mou-xiao-gua-pai"


@pytest.mark.parametrize("is_staff", [False, None], ids=["not staff", "anonymous"])
def test_admin_is_for_staff_only(client, django_user_model, is_staff):
    if is_staff is not None:
        user = django_user_model.objects.create_user("reader", password="x", is_staff=False)
        client.force_login(user)

    response = client.get(reverse("admin:reforms_school_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
