import re

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import format_html
from django_tables2.rows import BoundRow

from reforms.models import School
from reforms.registry import COLLECTIONS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.slug)
def test_list_cells_are_what_django_tables2_would_render(report_data, collection, language):
    """Lists write cells through a per-page shortcut; every cell of every record must equal
    the one django-tables2 renders itself: links, choice labels, the empty mark, dates, and
    on English pages names marked as Chinese with their English names."""
    with translation.override(language):
        table = collection.table_class(
            collection.model.objects.for_listing(), request=RequestFactory().get("/")
        )
        table.paginate(page=1, per_page=10_000)
        rows = table.page_cells()
        records = [row.record for row in table.page.object_list]
        assert len(rows) == len(records) == collection.model.objects.count() > 0

        empty_cells = 0
        for record, cells in zip(records, rows, strict=True):
            reference = BoundRow(record, table=table)
            headers = [str(header) for header, _, _ in cells]
            assert headers == [str(column.header) for column in table.columns]
            for (_, _, cell), column in zip(cells, table.columns, strict=True):
                expected = reference.get_cell(column.name)
                assert str(cell) == str(expected), (record, column.name)
                assert hasattr(cell, "__html__") == hasattr(expected, "__html__"), column.name
                empty_cells += str(cell) == "—"
    # The comparison covers missing values too, not only filled ones.
    if collection.slug in {"schools", "initiatives", "awards", "milestones"}:
        assert empty_cells


def test_english_lists_mark_the_reports_words_as_chinese(client, report_data):
    page = client.get("/en/schools/").content.decode()
    aliases = re.search(r'<td data-label="Also known as"([^>]*)>十一中</td>', page)
    stage = re.search(r'<td data-label="Stage"([^>]*)>[A-Za-z ]+</td>', page)
    chinese_page = client.get("/schools/").content.decode()

    assert aliases and aliases.group(1) == ' lang="zh-Hans"'
    assert '<td data-label="Also known as">—</td>' in page
    assert stage and stage.group(1) == ""
    assert re.search(r'<td data-label="别称">十一中</td>', chinese_page)


def test_linked_records_in_english_lists_show_english_names(client, report_data):
    page = client.get("/en/awards/").content.decode()
    chinese, english = '<span lang="zh-Hans">教育部</span>', "Ministry of Education"
    assert f'>{chinese} <span class="name-en">{english}</span></a>' in page


def test_names_in_cells_are_escaped(client, db):
    School.objects.create(name="<b>粗体</b>学校", aliases="<i>别称</i>")
    page = client.get("/schools/").content.decode()
    assert "&lt;b&gt;粗体&lt;/b&gt;学校</a>" in page
    assert "&lt;i&gt;别称&lt;/i&gt;" in page
    assert "<b>粗体" not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.slug)
def test_list_rows_hold_each_cell_under_its_header(report_data, collection, language):
    """The rows a list writes are the checked cells, each in a cell labelled by its column
    and marked as Chinese where it holds the report's words on a page in another language."""
    with translation.override(language):
        table = collection.table_class(
            collection.model.objects.for_listing(), request=RequestFactory().get("/")
        )
        table.paginate(page=1, per_page=10_000)
        expected = "\n".join(
            "<tr>"
            + "".join(
                format_html('<td data-label="{}"{}>{}</td>', header, lang_attribute(lang), cell)
                for header, lang, cell in cells
            )
            + "</tr>"
            for cells in table.page_cells()
        )
        assert str(table.page_rows()) == expected
        assert expected.count("<tr>") == collection.model.objects.count()


def lang_attribute(lang):
    return format_html(' lang="{}"', lang) if lang else ""
