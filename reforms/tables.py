"""One table per collection. Names sort by their pinyin key, never by code point."""

from html import escape
from operator import attrgetter

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2.rows import BoundRow
from django_tables2.utils import OrderByTuple

from .languages import CONTENT_LANG, in_default_language, marked_name, name_cell
from .models import (
    Award,
    Figure,
    Initiative,
    Milestone,
    NamedRecord,
    Organization,
    Publication,
    RecordLink,
    Report,
    School,
    Slogan,
    Zone,
)

# Column headers shared by several tables; translated when a page is drawn.
NAME_HEADER = translation.gettext_lazy("名称")
DATE_HEADER = translation.gettext_lazy("日期")


class RecordLinks:
    """Links to records for one page of a list. ``reverse()`` walks the URL patterns on
    every call and the page's language is looked up through a context-local, each dearer
    than the link itself: both are worked out once per page (per model, for addresses).
    Slugs are ASCII letters, digits, ``-`` and ``_``, which an address holds as they are."""

    PLACEHOLDER = "0"

    def __init__(self):
        self.prefixes = {}
        self.content_lang = "" if in_default_language() else CONTENT_LANG
        # The interface's list separator, looked up once a page rather than once a list.
        self.separator = conditional_escape(translation.gettext("、"))

    def url(self, record):
        model = record.model if isinstance(record, RecordLink) else type(record)
        parts = self.prefixes.get(model)
        if parts is None:
            # The view name is the model's own (``get_absolute_url``); a record that names
            # its page otherwise is asked directly.
            if model.get_absolute_url is not NamedRecord.get_absolute_url:
                return record.get_absolute_url()
            url = reverse(f"{model.collection}-detail", args=[self.PLACEHOLDER])
            head, _, tail = url.rpartition(f"/{self.PLACEHOLDER}/")
            parts = self.prefixes[model] = (f"{head}/", f"/{tail}")
        return f"{parts[0]}{record.slug}{parts[1]}"

    def link(self, record, name=None):
        """A record's name (``str(record)`` unless given), linked to its page; on pages in
        another language marked as Chinese and followed by the official English name
        (``languages.name_cell``)."""
        name = marked_name(str(record) if name is None else name, record.name_en, self.content_lang)
        return SafeString(f'<a href="{escape(self.url(record))}">{name}</a>')


class NameColumn(tables.Column):
    def __init__(self, verbose_name=NAME_HEADER, **kwargs):
        super().__init__(
            verbose_name=verbose_name, linkify=True, order_by=("sort_key", "name"), **kwargs
        )

    def render(self, value, record):
        return name_cell(record, value)

    def value(self, value, record):
        # Downloads get the name alone.
        return value

    def cell_maker(self, bound_column, links):
        name = attrgetter(str(bound_column.accessor))
        return lambda record: links.link(record, name(record))


class RelatedColumn(tables.Column):
    """A foreign record, linked, sorted by its own pinyin key."""

    def __init__(self, accessor, verbose_name, **kwargs):
        super().__init__(
            accessor=accessor,
            verbose_name=verbose_name,
            linkify=True,
            order_by=(f"{accessor}__sort_key",),
            **kwargs,
        )

    def render(self, value):
        return name_cell(value, str(value))

    def value(self, value):
        # Downloads get the name alone.
        return str(value)

    def cell_maker(self, bound_column, links):
        related = attrgetter(str(bound_column.accessor))
        default = bound_column.default

        def cell(record):
            linked = related(record)
            return default if linked is None else links.link(linked)

        return cell


class RelatedManyColumn(tables.ManyToManyColumn):
    def __init__(self, verbose_name, **kwargs):
        super().__init__(
            verbose_name=verbose_name,
            linkify_item=True,
            separator=translation.gettext_lazy("、"),
            orderable=False,
            **kwargs,
        )

    def transform(self, obj):
        return name_cell(obj, str(obj))

    def value(self, value):
        # Downloads get the names, not the links drawn around them on the page.
        return str(self.separator).join(str(item) for item in self.filter(value))

    def cell_maker(self, bound_column, links):
        manager = attrgetter(str(bound_column.accessor))
        default = bound_column.default

        def cell(record):
            # .all() reads what for_listing() prefetched.
            linked = [links.link(item) for item in self.filter(manager(record))]
            return mark_safe(conditional_escape(self.separator).join(linked)) if linked else default

        return cell


def partial_date(record, undated):
    """A record's date at its precision, an inferred one marked and saying why on hover;
    ``undated`` where the report gives none."""
    if not record.date:
        return undated
    if record.date_inferred:
        return format_html(
            '{} <abbr class="inferred" title="{}">{}</abbr>',
            record.date_display,
            translation.gettext("推断：%(reason)s") % {"reason": record.date_inference},
            translation.gettext("（推断）"),
        )
    return record.date_display


def linked_records(records, links):
    """Records as links to their pages, in the interface's list separator; — for none."""
    links_shown = [links.link(record) for record in records]
    if not links_shown:
        return "—"
    return mark_safe(links.separator.join(links_shown))


class PartialDateColumn(tables.Column):
    """2014年 / 2021年3月 / 2021年7月2日; an inferred date is marked and says why on hover."""

    def __init__(self, verbose_name=DATE_HEADER, **kwargs):
        super().__init__(
            accessor="date",
            verbose_name=verbose_name,
            empty_values=(),
            **kwargs,
        )

    def order(self, queryset, is_descending):
        # Undated records go last either way: a reader sorting by date wants dates first.
        date = F("date").desc(nulls_last=True) if is_descending else F("date").asc(nulls_last=True)
        return queryset.order_by(date, "sort_key", "name"), True

    def render(self, record):
        return partial_date(record, "—")

    def cell_maker(self, bound_column, links):
        return self.render

    def value(self, record):
        if record.date_inferred:
            return translation.gettext_lazy("%(date)s（推断）") % {"date": record.date_display}
        return record.date_display


def model_field(table, bound_column):
    """The model field a column shows, or None for a computed value."""
    try:
        return table._meta.model._meta.get_field(str(bound_column.accessor))
    except FieldDoesNotExist:
        return None


def cell_maker(table, bound_column, links):
    """A function from a record to its cell in this column, as django-tables2 renders it."""
    column = bound_column.column
    if hasattr(column, "cell_maker"):
        return column.cell_maker(bound_column, links)
    accessor = str(bound_column.accessor)
    if type(column) is tables.Column and not column.link and accessor.isidentifier():
        field = model_field(table, bound_column)
        if getattr(field, "choices", None):
            # What get_FOO_display() gives, with the labels translated once per page
            # rather than once per row.
            labels = {value: str(label) for value, label in field.flatchoices}
            value_of = attrgetter(accessor)

            def read(record):
                value = value_of(record)
                return labels.get(value, value)
        else:
            read = attrgetter(accessor)
        empty, default = column.empty_values, bound_column.default

        def plain_cell(record):
            value = read(record)
            return default if value in empty else column.render(value)

        return plain_cell
    return lambda record: BoundRow(record, table=table).get_cell(bound_column.name)


def holds_record_text(table, bound_column):
    """Whether a column shows the report's own words (an alias, a batch, a unit) rather than
    a label of the interface, a date or a linked record (whose name marks itself)."""
    if type(bound_column.column) is not tables.Column:
        return False
    field = model_field(table, bound_column)
    return isinstance(field, (models.CharField, models.TextField)) and not field.choices


class RecordTable(tables.Table):
    """Every column sorts with the name's pinyin as tie-breaker, so records that share a
    value (the same stage, the same kind) are in reading order and pages never overlap."""

    name = NameColumn()
    # Downloads only: the list shows it beside the name in the English pages.
    name_en = tables.Column(verbose_name=translation.gettext_lazy("英文名称"), visible=False)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, column in cls.base_columns.items():
            if column.orderable is False or isinstance(column, PartialDateColumn):
                continue
            order = tuple(column.order_by or (str(column.accessor or name),))
            if "sort_key" not in order:
                column.order_by = OrderByTuple((*order, "sort_key", "name"))

    def page_cells(self):
        """The current page as rows of (column header, language, cell); the language is set
        where a cell holds the report's Chinese on a page in another language.

        For every cell django-tables2 inspects the render method's signature, looks the
        field up for choices and rebuilds the column's attributes; on a 50-row list that
        was over half of the page's time. Here each column's way to its cell is worked out
        once per page. The test suite checks every cell equals django-tables2's own.
        """
        makers = self._cell_makers()
        default = self.default
        return [
            [
                # The mark for a missing value is the interface's, not the report's.
                (header, lang if cell != default else "", cell)
                for header, lang, make in makers
                for cell in (make(row.record),)
            ]
            for row in self.page.object_list
        ]

    def page_rows(self):
        """The current page's ``<tr>`` elements, for includes/table.html: written here
        rather than by a template loop, which cost more than the cells themselves. Headers
        are lazy translations, so each column's opening tags are written once per page."""
        default = str(self.default)
        columns = [
            (
                format_html('<td data-label="{}">', header),
                format_html('<td data-label="{}" lang="{}">', header, lang) if lang else None,
                make,
            )
            for header, lang, make in self._cell_makers()
        ]
        rows = []
        for row in self.page.object_list:
            tds = []
            for plain, marked, make in columns:
                cell = conditional_escape(make(row.record))
                tds.append(f"{plain if marked is None or cell == default else marked}{cell}</td>")
            rows.append(f"<tr>{''.join(tds)}</tr>")
        return mark_safe("\n".join(rows))

    def _cell_makers(self):
        """(header, language, record → cell) for each column of this page."""
        content_lang = "" if in_default_language() else CONTENT_LANG
        links = RecordLinks()
        return [
            (
                column.header,
                content_lang if holds_record_text(self, column) else "",
                cell_maker(self, column, links),
            )
            for column in self.columns
        ]

    class Meta:
        template_name = "includes/table.html"
        attrs = {"class": "records"}
        empty_text = translation.gettext_lazy("没有符合条件的记录。")
        order_by = ("name",)


class ReportTable(RecordTable):
    name = NameColumn(translation.gettext_lazy("标题"))
    date = PartialDateColumn(translation.gettext_lazy("刊发时间"))

    class Meta(RecordTable.Meta):
        model = Report
        fields = ("name", "subtitle", "authors", "date")


class ZoneTable(RecordTable):
    conferring_body = RelatedColumn("conferring_body", translation.gettext_lazy("授予机构"))
    date = PartialDateColumn()

    class Meta(RecordTable.Meta):
        model = Zone
        fields = ("name", "level", "batch", "conferring_body", "date")


class InitiativeTable(RecordTable):
    parent = RelatedColumn("parent", translation.gettext_lazy("上级举措"))
    zones = RelatedManyColumn(translation.gettext_lazy("所属实验区"))
    date = PartialDateColumn()

    class Meta(RecordTable.Meta):
        model = Initiative
        fields = ("name", "kind", "parent", "zones", "date")


class SchoolTable(RecordTable):
    class Meta(RecordTable.Meta):
        model = School
        fields = ("name", "stage", "aliases")


class AwardTable(RecordTable):
    recipients = RelatedManyColumn(translation.gettext_lazy("获得者"))
    conferring_body = RelatedColumn("conferring_body", translation.gettext_lazy("授予机构"))
    date = PartialDateColumn(translation.gettext_lazy("年份"))

    class Meta(RecordTable.Meta):
        model = Award
        fields = ("name", "level", "grade", "batch", "recipients", "conferring_body", "date")


class OrganizationTable(RecordTable):
    parent = RelatedColumn("parent", translation.gettext_lazy("上级机构"))

    class Meta(RecordTable.Meta):
        model = Organization
        fields = ("name", "kind", "parent")


class ValueCountColumn(tables.Column):
    """How many values the reports give for a figure: 3个数值."""

    def __init__(self, **kwargs):
        super().__init__(
            accessor="value_count",
            verbose_name=translation.gettext_lazy("数值个数"),
            **kwargs,
        )

    def render(self, value):
        return translation.ngettext("%(count)s个数值", "%(count)s个数值", value) % {"count": value}

    def value(self, value):
        # Downloads get the number alone.
        return value

    def cell_maker(self, bound_column, links):
        return lambda record: self.render(record.value_count)


class FigureTable(RecordTable):
    """One row per measure, with its latest value: the list answers "how much", and the
    figure's page holds the whole series."""

    name = NameColumn(translation.gettext_lazy("指标"))
    value = tables.Column(
        verbose_name=translation.gettext_lazy("数值"), accessor="value_display", order_by=("value",)
    )
    initiative = RelatedColumn("initiative", translation.gettext_lazy("相关举措"))
    value_count = ValueCountColumn()

    class Meta(RecordTable.Meta):
        model = Figure
        fields = ("name", "as_written", "qualifier", "value", "unit", "initiative", "value_count")


class PublicationTable(RecordTable):
    name = NameColumn(translation.gettext_lazy("题名"))
    date = PartialDateColumn()

    class Meta(RecordTable.Meta):
        model = Publication
        fields = ("name", "kind", "date")


class SloganTable(RecordTable):
    name = NameColumn(translation.gettext_lazy("原文"))
    initiative = RelatedColumn("initiative", translation.gettext_lazy("相关举措"))

    class Meta(RecordTable.Meta):
        model = Slogan
        fields = ("name", "kind", "initiative")


class MilestoneTable(RecordTable):
    date = PartialDateColumn()
    name = NameColumn(translation.gettext_lazy("事件"))
    zones = RelatedManyColumn(translation.gettext_lazy("相关实验区"))

    class Meta(RecordTable.Meta):
        model = Milestone
        fields = ("date", "name", "zones")
        order_by = ("date",)
