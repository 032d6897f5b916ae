"""An editor reviews a drafted report in the admin, in a real browser (Debian's Chromium
driven by Playwright, as in test_browser.py): accepts, rejects and merges candidates, then
publishes; the published records appear on the public site, the rejected ones nowhere."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reforms.models import Draft, DraftCandidate, Organization, School

from .test_browser import desktop, site  # noqa: F401 - fixtures
from .test_drafting import STORY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def drafted(site, tmp_path, django_user_model):  # noqa: F811 - the fixture imported above
    django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-secret")
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    call_command("draftreport", str(path), "--date", "2023-06-20", "--load", verbosity=0)
    return Draft.objects.get()


def candidate_row(page, name):
    pk = DraftCandidate.objects.get(fields__name=name).pk
    return page.locator(f"#candidate-{pk}")


def test_review_accept_reject_merge_and_publish(desktop, drafted):  # noqa: F811
    page = desktop.open("/admin/login/?next=/admin/reforms/draft/")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill("a-long-secret")
    page.get_by_role("button", name=re.compile("登录")).click()
    page.get_by_role("link", name=drafted.name).click()

    school = candidate_row(page, "滨江区青柳小学")
    # Each candidate stands beside the sentence it was drafted from.
    expect(school).to_contain_text("近1200名师生参加")
    school.get_by_label("采用", exact=True).check()
    candidate_row(page, "西南师范研究院").get_by_label("不采用", exact=True).check()
    bureau = candidate_row(page, "滨江区教委")
    bureau.get_by_label("并入已有记录", exact=True).check()
    bureau.get_by_label("并入的已有记录名称").fill("南岸区教委")
    page.get_by_role("button", name="保存审阅").click()
    expect(page.locator(".messagelist")).to_contain_text("审阅已保存")
    expect(candidate_row(page, "滨江区青柳小学").get_by_label("采用", exact=True)).to_be_checked()

    # Nothing is public before publishing.
    desktop.open("/search/?q=青柳")
    expect(page.locator("main")).not_to_contain_text("滨江区青柳小学")

    page.go_back()
    page.get_by_role("button", name="发布采用的记录").click()
    expect(page.locator(".messagelist")).to_contain_text("已发布报道")
    assert not Draft.objects.exists() and not DraftCandidate.objects.exists()
    assert School.objects.filter(name="滨江区青柳小学").exists()
    assert not Organization.objects.filter(name="西南师范研究院").exists()
    assert not Organization.objects.filter(name="滨江区教委").exists()
    bureau = Organization.objects.get(name="南岸区教委")
    assert bureau.sources.filter(report__name=drafted.name).exists()

    desktop.open("/search/?q=青柳")
    expect(page.locator("main")).to_contain_text("滨江区青柳小学")
