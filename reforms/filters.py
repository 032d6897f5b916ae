"""One FilterSet per collection; each knows which of its filters to show as facets with counts.

A facet's counts answer "how many records would I get if I picked this", so each facet is
counted over the records that match every *other* active filter: one grouped query per facet,
whatever the size of the data. Related records are counted in the link table alone (its rows
are unique per pair, so no DISTINCT and no join to the whole collection), and only the options
shown are then looked up by name.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import versioning
from .languages import as_content
from .models import (
    Award,
    DatePrecision,
    FacetCount,
    Figure,
    Initiative,
    InitiativeKind,
    Level,
    Milestone,
    Organization,
    OrganizationKind,
    Publication,
    PublicationKind,
    Qualifier,
    Report,
    School,
    SchoolStage,
    Slogan,
    SloganKind,
    Zone,
)

FACET_OPTIONS_SHOWN = 12
# Query-string keys that are not filters: they must survive a change of filter.
NON_FILTER_KEYS = ("sort",)


@dataclass(frozen=True)
class FacetSpec:
    """How to count one filter's options.

    ``field`` is a column of the collection (labelled by ``choices`` where it has them), or,
    with ``related``, a relation whose records are named by slug in the URL and by name on
    the page; ``year`` groups a date by its year.
    """

    field: str
    choices: tuple = ()
    related: bool = False
    year: bool = False
    # How a grouped value is written in the URL, where that differs from str(value).
    params: tuple = ()
    # Counted by the reports that speak of the records (``Statement``), named by slug.
    by_report: bool = False


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    query: str
    # Labels taken from the records (names, grades, units) rather than the site's own words.
    is_content: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list
    clear_query: str
    active: bool

    def items(self):
        """The options as includes/facets.html lists them: a link to each choice with its
        count, the chosen one linking to its removal. Written here, not node by node in
        the template, where a list's dozens of options took a good part of its page."""
        cancel = gettext("取消此筛选")
        items = []
        for option in self.options:
            label = as_content(option.label) if option.is_content else option.label
            if option.selected:
                items.append(
                    format_html(
                        '<li><a class="facet__selected" href="?{}" aria-current="true" '
                        'title="{}">{} <span class="count">{}</span> ×</a></li>',
                        self.clear_query,
                        cancel,
                        label,
                        option.count,
                    )
                )
            else:
                items.append(
                    format_html(
                        '<li><a href="?{}">{} <span class="count">{}</span></a></li>',
                        option.query,
                        label,
                        option.count,
                    )
                )
        return mark_safe("\n".join(items))


class YearFilter(django_filters.NumberFilter):
    # Whole years only, within what a date can hold: ?year=1e30 must be refused, not overflow.
    field_class = forms.IntegerField


def year_filter(label=None):
    return YearFilter(
        field_name="date__year", label=label or _("年份"), min_value=1, max_value=9999
    )


def related_filter(field_name, model, label):
    """Filter by a related record, named in the URL by its slug: ?zone=jin-shi-yan-qu."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=model.objects.all(),
        to_field_name="slug",
        label=label,
        distinct=True,
    )


def related_facet(field_name):
    return FacetSpec(field=field_name, related=True)


def choice_facet(field_name, choices):
    return FacetSpec(field=field_name, choices=tuple(choices))


YEAR_FACET = FacetSpec(field="date", year=True)
REPORT_FACET = FacetSpec(field="statements", related=True, by_report=True)


def report_filter():
    """Records some statement of a report speaks of: ?report=<report slug>."""
    return django_filters.ModelChoiceFilter(
        queryset=Report.objects.all(),
        to_field_name="slug",
        label=_("报道"),
        method="filter_report",
    )


class RecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")

    facet_specs = {}

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)

    def filter_report(self, queryset, name, value):
        return queryset.spoken_of_by(value)

    def facets(self):
        others = {name: self._others(name) for name in self.facet_specs}
        counted = self._facet_rows(others)
        return [
            self._facet(name, spec, counted[name], others[name])
            for name, spec in self.facet_specs.items()
        ]

    def _others(self, name):
        """The query without this facet's own choice and the page: what its counts are
        counted under."""
        others = self.data.copy()
        others.pop(name, None)
        others.pop("page", None)
        return others

    def _facet_rows(self, others):
        """{facet name: [(value, name, count), ...]} for this page.

        Counts depend only on the data and the other filters, so each combination's are
        kept in ``FacetCount`` for the current data version and read back in one query;
        only a combination not yet counted is counted here. A text query is counted each
        time: its combinations are as many as the words a reader can type.
        """
        model = self.queryset.model
        version = self._data_version()
        keys = {}
        for name in self.facet_specs:
            filters = self._filters_text(others[name])
            if filters is not None:
                keys[name] = (FacetCount.key_for(model, name, filters), filters)
        stored = FacetCount.objects.stored(version, [key for key, _ in keys.values()])
        rows, counted = {}, {}
        for name, spec in self.facet_specs.items():
            key, filters = keys.get(name, (None, None))
            if key in stored:
                rows[name] = [tuple(row) for row in stored[key]]
                continue
            if not self._others_are_valid(name):
                rows[name] = []
                continue
            ids = self._ids_under_the_others(name, others[name])
            rows[name] = model._default_manager.facet_counts(spec, ids, FACET_OPTIONS_SHOWN)
            if key is not None:
                counted[key] = (model._meta.label, name, filters, rows[name])
        if counted:
            FacetCount.objects.keep_quietly(version, counted)
        return rows

    # Both read this page's own form, cleaned once: a filter set made anew for each facet
    # built and cleaned its form again, with a query for each record chosen, each time.
    def _others_are_valid(self, name):
        """Whether every filter but ``name`` has a value it accepts (or none at all)."""
        return not self.is_bound or set(self.errors) <= {name}

    def _ids_under_the_others(self, name, others):
        """The ids of the records every filter but ``name`` lets through, or None for all
        (always so on an unbound page, whose ``others`` are empty)."""
        if not self._set_in(others):
            return None
        queryset = self.queryset.all()
        for field, value in self.form.cleaned_data.items():
            if field != name:
                queryset = self.filters[field].filter(queryset, value)
        return queryset.order_by().values("pk")

    def _filters_text(self, query):
        """The filters of ``query`` that are set, in a canonical order, as a query string;
        None where a text query is among them. A name given twice counts with the value a
        filter reads, its last."""
        pairs = sorted(
            (name, query.get(name))
            for name in query
            if name in self.filters and query.get(name) != ""
        )
        if any(name == "q" for name, _ in pairs):
            return None
        return urlencode(pairs)

    def _data_version(self):
        """The version the request read (the page cache's key), or the current one."""
        version = getattr(self.request, "data_version", None)
        return version[0] if version else versioning.current()[0]

    def _facet(self, name, spec, rows, others):
        labels, params = dict(spec.choices), dict(spec.params)
        selected = self.data.get(name)
        if spec.by_report and len(rows) == 1 and not selected:
            # With a single report to choose from, the choice narrows nothing; a portal of one
            # report keeps its pages as they were before there could be several.
            rows = []
        options = []
        for raw, label, count in rows:
            value = params.get(raw, str(raw))
            if value == "":
                continue
            chosen = others.copy()
            chosen[name] = value
            label = label if spec.related else labels.get(raw, value)
            options.append(
                FacetOption(
                    value,
                    str(label),
                    count,
                    value == selected,
                    chosen.urlencode(),
                    is_content=spec.related or not (spec.choices or spec.year),
                )
            )
        if name == "year":
            options.sort(key=lambda option: option.value, reverse=True)
            for option in options:
                option.label = gettext("%(year)s年") % {"year": option.label}
        return Facet(
            name=name,
            label=str(self.filters[name].label),
            options=options,
            clear_query=others.urlencode(),
            active=name in self.data and self.data.get(name) != "",
        )

    @property
    def active_filters(self):
        return self._set_in(self.data)

    def _set_in(self, query):
        """The filters ``query`` gives a value."""
        return [key for key in query if key in self.filters and query.get(key)]


class ReportFilter(RecordFilter):
    year = year_filter(_("刊发年份"))
    facet_specs = {"year": YEAR_FACET}

    class Meta:
        model = Report
        fields = []


class ZoneFilter(RecordFilter):
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("级别"))
    partner = related_filter("partners", Organization, _("合作机构"))
    year = year_filter()
    report = report_filter()
    facet_specs = {
        "level": choice_facet("level", Level.choices),
        "partner": related_facet("partners"),
        "year": YEAR_FACET,
        "report": REPORT_FACET,
    }

    class Meta:
        model = Zone
        fields = []


class InitiativeFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=InitiativeKind.choices, label=_("类型"))
    zone = related_filter("zones", Zone, _("实验区"))
    partner = related_filter("partners", Organization, _("合作机构"))
    school = related_filter("schools", School, _("参与学校"))
    year = year_filter()
    report = report_filter()
    facet_specs = {
        "kind": choice_facet("kind", InitiativeKind.choices),
        "zone": related_facet("zones"),
        "partner": related_facet("partners"),
        "school": related_facet("schools"),
        "year": YEAR_FACET,
        "report": REPORT_FACET,
    }

    class Meta:
        model = Initiative
        fields = []


class SchoolFilter(RecordFilter):
    stage = django_filters.ChoiceFilter(choices=SchoolStage.choices, label=_("学段"))
    award = related_filter("awards", Award, _("荣誉"))
    report = report_filter()
    facet_specs = {
        "stage": choice_facet("stage", SchoolStage.choices),
        "award": related_facet("awards"),
        "report": REPORT_FACET,
    }

    class Meta:
        model = School
        fields = []


class AwardFilter(RecordFilter):
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("级别"))
    grade = django_filters.AllValuesFilter(label=_("等次"))
    recipient = related_filter("recipients", School, _("获得者"))
    year = year_filter()
    report = report_filter()
    facet_specs = {
        "level": choice_facet("level", Level.choices),
        "grade": FacetSpec(field="grade"),
        "recipient": related_facet("recipients"),
        "year": YEAR_FACET,
        "report": REPORT_FACET,
    }

    class Meta:
        model = Award
        fields = []


class OrganizationFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("类型"))
    report = report_filter()
    facet_specs = {"kind": choice_facet("kind", OrganizationKind.choices), "report": REPORT_FACET}

    class Meta:
        model = Organization
        fields = []


class FigureFilter(RecordFilter):
    unit = django_filters.AllValuesFilter(label=_("单位"))
    qualifier = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label in Qualifier.choices if value], label=_("限定")
    )
    initiative = related_filter("initiative", Initiative, _("相关举措"))
    report = report_filter()
    facet_specs = {
        "unit": FacetSpec(field="unit"),
        "qualifier": choice_facet("qualifier", Qualifier.choices),
        "initiative": related_facet("initiative"),
        "report": REPORT_FACET,
    }

    class Meta:
        model = Figure
        fields = []


class PublicationFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=PublicationKind.choices, label=_("类型"))
    year = year_filter()
    report = report_filter()
    facet_specs = {
        "kind": choice_facet("kind", PublicationKind.choices),
        "year": YEAR_FACET,
        "report": REPORT_FACET,
    }

    class Meta:
        model = Publication
        fields = []


class SloganFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=SloganKind.choices, label=_("类型"))
    report = report_filter()
    facet_specs = {"kind": choice_facet("kind", SloganKind.choices), "report": REPORT_FACET}

    class Meta:
        model = Slogan
        fields = []


INFERRED_CHOICES = (("yes", _("推断的日期")), ("no", _("报道写明的日期")))


class MilestoneFilter(RecordFilter):
    year = year_filter()
    zone = related_filter("zones", Zone, _("实验区"))
    initiative = related_filter("initiatives", Initiative, _("改革举措"))
    precision = django_filters.ChoiceFilter(
        field_name="date_precision", choices=DatePrecision.choices, label=_("日期精度")
    )
    inferred = django_filters.ChoiceFilter(
        choices=INFERRED_CHOICES, label=_("日期来源"), method="filter_inferred"
    )
    report = report_filter()
    facet_specs = {
        "year": YEAR_FACET,
        "zone": related_facet("zones"),
        "initiative": related_facet("initiatives"),
        "precision": choice_facet("date_precision", DatePrecision.choices),
        "inferred": FacetSpec(
            field="date_inferred",
            choices=((True, _("推断的日期")), (False, _("报道写明的日期"))),
            params=((True, "yes"), (False, "no")),
        ),
        "report": REPORT_FACET,
    }

    class Meta:
        model = Milestone
        fields = []

    def filter_inferred(self, queryset, name, value):
        return queryset.filter(date_inferred=(value == "yes"))
