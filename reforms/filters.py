"""One FilterSet per collection; each knows which of its filters to show as facets with counts.

A facet's counts answer "how many records would I get if I picked this", so each facet is
counted over the records that match every *other* active filter: one grouped query per facet,
whatever the size of the data.
"""

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Count

from .models import (
    Award,
    DatePrecision,
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
    """How to count one filter's options: group by ``group``; show ``label`` or ``choices``."""

    group: str
    label: str | None = None
    choices: tuple = ()
    # How a grouped value is written in the URL, where that differs from str(value).
    params: tuple = ()


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    query: str


@dataclass
class Facet:
    name: str
    label: str
    options: list
    clear_query: str
    active: bool


class YearFilter(django_filters.NumberFilter):
    # Whole years only, within what a date can hold: ?year=1e30 must be refused, not overflow.
    field_class = forms.IntegerField


def year_filter(label="年份"):
    return YearFilter(field_name="date__year", label=label, min_value=1, max_value=9999)


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
    return FacetSpec(group=f"{field_name}__slug", label=f"{field_name}__name")


def choice_facet(field_name, choices):
    return FacetSpec(group=field_name, choices=tuple(choices))


YEAR_FACET = FacetSpec(group="date__year")


class RecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="filter_text")

    facet_specs = {}

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)

    def facets(self):
        return [self._facet(name, spec) for name, spec in self.facet_specs.items()]

    def _facet(self, name, spec):
        others = self.data.copy()
        others.pop(name, None)
        others.pop("page", None)
        narrowed = type(self)(others, queryset=self.queryset)
        rows = []
        if narrowed.is_valid():
            rows = (
                narrowed.qs.order_by()
                .exclude(**{f"{spec.group}__isnull": True})
                .values(*filter(None, (spec.group, spec.label)))
                .annotate(count=Count("pk", distinct=True))
                .order_by("-count", spec.group)[:FACET_OPTIONS_SHOWN]
            )
        labels, params = dict(spec.choices), dict(spec.params)
        selected = self.data.get(name)
        options = []
        for row in rows:
            raw = row[spec.group]
            value = params.get(raw, str(raw))
            if value == "":
                continue
            chosen = others.copy()
            chosen[name] = value
            label = row[spec.label] if spec.label else labels.get(raw, value)
            options.append(
                FacetOption(value, str(label), row["count"], value == selected, chosen.urlencode())
            )
        if name == "year":
            options.sort(key=lambda option: option.value, reverse=True)
            for option in options:
                option.label = f"{option.label}年"
        return Facet(
            name=name,
            label=str(self.filters[name].label),
            options=options,
            clear_query=others.urlencode(),
            active=name in self.data and self.data.get(name) != "",
        )

    @property
    def active_filters(self):
        return [key for key in self.data if key in self.filters and self.data.get(key)]


class ReportFilter(RecordFilter):
    year = year_filter("刊发年份")
    facet_specs = {"year": YEAR_FACET}

    class Meta:
        model = Report
        fields = []


class ZoneFilter(RecordFilter):
    level = django_filters.ChoiceFilter(choices=Level.choices, label="级别")
    partner = related_filter("partners", Organization, "合作机构")
    year = year_filter()
    facet_specs = {
        "level": choice_facet("level", Level.choices),
        "partner": related_facet("partners"),
        "year": YEAR_FACET,
    }

    class Meta:
        model = Zone
        fields = []


class InitiativeFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=InitiativeKind.choices, label="类型")
    zone = related_filter("zones", Zone, "实验区")
    partner = related_filter("partners", Organization, "合作机构")
    school = related_filter("schools", School, "参与学校")
    year = year_filter()
    facet_specs = {
        "kind": choice_facet("kind", InitiativeKind.choices),
        "zone": related_facet("zones"),
        "partner": related_facet("partners"),
        "school": related_facet("schools"),
        "year": YEAR_FACET,
    }

    class Meta:
        model = Initiative
        fields = []


class SchoolFilter(RecordFilter):
    stage = django_filters.ChoiceFilter(choices=SchoolStage.choices, label="学段")
    award = related_filter("awards", Award, "荣誉")
    facet_specs = {
        "stage": choice_facet("stage", SchoolStage.choices),
        "award": related_facet("awards"),
    }

    class Meta:
        model = School
        fields = []


class AwardFilter(RecordFilter):
    level = django_filters.ChoiceFilter(choices=Level.choices, label="级别")
    grade = django_filters.AllValuesFilter(label="等次")
    recipient = related_filter("recipients", School, "获得者")
    year = year_filter()
    facet_specs = {
        "level": choice_facet("level", Level.choices),
        "grade": FacetSpec(group="grade"),
        "recipient": related_facet("recipients"),
        "year": YEAR_FACET,
    }

    class Meta:
        model = Award
        fields = []


class OrganizationFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label="类型")
    facet_specs = {"kind": choice_facet("kind", OrganizationKind.choices)}

    class Meta:
        model = Organization
        fields = []


class FigureFilter(RecordFilter):
    unit = django_filters.AllValuesFilter(label="单位")
    qualifier = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label in Qualifier.choices if value], label="限定"
    )
    initiative = related_filter("initiative", Initiative, "相关举措")
    facet_specs = {
        "unit": FacetSpec(group="unit"),
        "qualifier": choice_facet("qualifier", Qualifier.choices),
        "initiative": related_facet("initiative"),
    }

    class Meta:
        model = Figure
        fields = []


class PublicationFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=PublicationKind.choices, label="类型")
    year = year_filter()
    facet_specs = {"kind": choice_facet("kind", PublicationKind.choices), "year": YEAR_FACET}

    class Meta:
        model = Publication
        fields = []


class SloganFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=SloganKind.choices, label="类型")
    facet_specs = {"kind": choice_facet("kind", SloganKind.choices)}

    class Meta:
        model = Slogan
        fields = []


INFERRED_CHOICES = (("yes", "推断的日期"), ("no", "报道写明的日期"))


class MilestoneFilter(RecordFilter):
    year = year_filter()
    zone = related_filter("zones", Zone, "实验区")
    initiative = related_filter("initiatives", Initiative, "改革举措")
    precision = django_filters.ChoiceFilter(
        field_name="date_precision", choices=DatePrecision.choices, label="日期精度"
    )
    inferred = django_filters.ChoiceFilter(
        choices=INFERRED_CHOICES, label="日期来源", method="filter_inferred"
    )
    facet_specs = {
        "year": YEAR_FACET,
        "zone": related_facet("zones"),
        "initiative": related_facet("initiatives"),
        "precision": choice_facet("date_precision", DatePrecision.choices),
        "inferred": FacetSpec(
            group="date_inferred",
            choices=((True, "推断的日期"), (False, "报道写明的日期")),
            params=((True, "yes"), (False, "no")),
        ),
    }

    class Meta:
        model = Milestone
        fields = []

    def filter_inferred(self, queryset, name, value):
        return queryset.filter(date_inferred=(value == "yes"))
