"""What a report on Nan'an District's education reform says, as records.

Every record that a report names (a school, an organisation, a zone …) is keyed by its name, so
that a second report about the same district attaches to the records already loaded instead of
duplicating them. Every record also lists the report sections that say so.
"""

import datetime
import hashlib
import logging
from collections import defaultdict
from functools import lru_cache

import simple_history
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Window
from django.db.models.functions import ExtractYear, RowNumber
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

from . import pinyin
from .history import RecordHistory

# SearchGram is defined with the rest of search; importing it here makes it one of the
# app's models.
from .search.index import SearchGram, matching_ids  # noqa: F401
from .search.ranking import match_rank
from .search.terms import query_terms

logger = logging.getLogger(__name__)


class DatePrecision(models.TextChoices):
    YEAR = "year", _("年")
    MONTH = "month", _("月")
    DAY = "day", _("日")


@lru_cache(maxsize=4096)
def _date_at_precision(date, precision, language):
    """A date as ``PartialDate.date_display`` words it in ``language``, the active one.

    Formatted once per date, precision and language: a timeline page words each of its
    dates twice, and Django's formatter reads its layout letter by letter each time."""
    # Django date formats, translated like any message so each language words its own.
    if precision == DatePrecision.YEAR:
        layout = pgettext("date known to the year, as a Django date format", "Y年")
    elif precision == DatePrecision.MONTH:
        layout = pgettext("date known to the month, as a Django date format", "Y年n月")
    else:
        layout = pgettext("date known to the day, as a Django date format", "Y年n月j日")
    return dateformat.format(date, layout)


class PartialDate(models.Model):
    """A date known only to the year, the month or the day, possibly inferred.

    ``date`` holds the first day of the period it stands for (2014 → 2014-01-01), so partial
    dates still sort and filter as dates.
    """

    date = models.DateField(_("日期"), null=True, blank=True, db_index=True)
    date_precision = models.CharField(
        _("日期精度"), max_length=5, choices=DatePrecision.choices, blank=True, db_index=True
    )
    date_inferred = models.BooleanField(
        _("日期系推断"),
        default=False,
        db_index=True,
        help_text=_("报道未写明，由上下文推断（例如只写“今年”）。"),
    )
    date_inference = models.TextField(_("推断依据"), blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        errors = {}
        if self.date and not self.date_precision:
            errors["date_precision"] = _("有日期时须注明精度（年、月或日）。")
        if self.date_precision and not self.date:
            errors["date"] = _("注明了精度却没有日期。")
        if (
            self.date
            and self.date_precision == DatePrecision.YEAR
            and self.date.timetuple()[1:3]
            != (
                1,
                1,
            )
        ):
            errors["date"] = _("精度为“年”时，日期应为该年1月1日。")
        if self.date and self.date_precision == DatePrecision.MONTH and self.date.day != 1:
            errors["date"] = _("精度为“月”时，日期应为该月1日。")
        if self.date_inferred and not self.date_inference.strip():
            errors["date_inference"] = _("推断的日期须说明依据。")
        if self.date_inference.strip() and not self.date_inferred:
            errors["date_inferred"] = _("写了推断依据，却没有标为推断。")
        if errors:
            raise ValidationError(errors)

    @property
    def date_display(self):
        """The date at its own precision in the active language: 2014年, 2021年3月, 2021年7月2日
        in Chinese; 2014, March 2021, 2 July 2021 in English."""
        if not self.date:
            return ""
        return _date_at_precision(self.date, self.date_precision, get_language())

    @property
    def date_iso(self):
        """The date in ISO 8601 at its own precision: 2014, 2021-03, 2021-07-02."""
        if not self.date:
            return ""
        if self.date_precision == DatePrecision.YEAR:
            return f"{self.date.year:04d}"
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    @staticmethod
    def period_start(year, month=None, day=None):
        """The stored date and precision for a year, a year and month, or a full date."""
        if day is not None:
            return datetime.date(year, month, day), DatePrecision.DAY
        if month is not None:
            return datetime.date(year, month, 1), DatePrecision.MONTH
        return datetime.date(year, 1, 1), DatePrecision.YEAR


class YearOf(ExtractYear):
    """The year of a date. SQLite's own year extraction calls back into Python for every
    row; the stored ISO text starts with the year, which SQLite can read by itself."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(SUBSTR({sql}, 1, 4) AS INTEGER)", params


def _named_counts(linked, counts):
    """(slug, name, count) for the ``linked`` records counted in ``counts`` ({pk: count}),
    most first. Names are read in a second, indexed query: joining them in before grouping
    would carry every row's name through the sort."""
    named = linked.filter(pk__in=counts).values_list("pk", "slug", "name")
    rows = [(slug, name, counts[pk]) for pk, slug, name in named]
    return sorted(rows, key=lambda row: (-row[2], row[0]))


# What a link to a record shows: its name (with its English name) and its address.
LINK_FIELDS = ("id", "name", "name_en", "slug")


class RecordLink:
    """A linked record as a link shows it (``LINK_FIELDS``), read without the record."""

    __slots__ = ("model", "pk", "name", "name_en", "slug")

    def __init__(self, model, pk, name, name_en, slug):
        self.model, self.pk, self.name, self.name_en, self.slug = model, pk, name, name_en, slug

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(f"{self.model.collection}-detail", args=[self.slug])


class NamedQuerySet(models.QuerySet):
    def in_pinyin_order(self):
        return self.order_by("sort_key", "name")

    def genuine(self):
        """Records loaded from reports, leaving out those made by ``synthesize``."""
        return self.filter(is_synthetic=False)

    def for_listing(self):
        """With the records list pages and exports link beside each record, fetched up front,
        and of those only what a link shows: building whole records was most of the cost of
        a page of fifty."""
        model = self.model
        return self.select_related(*model.list_select_related).prefetch_related(
            *(
                Prefetch(
                    name,
                    queryset=model._meta.get_field(name).related_model.objects.only(*LINK_FIELDS),
                )
                for name in model.list_prefetch_related
            )
        )

    def links_by_record(self, relation, ids):
        """{record pk: [RecordLink, ...]} for the records with ``ids`` and their many-to-many
        ``relation``, in the linked model's order: what links to them show, without building
        the linked records, which cost a page of fifty more than all else it read.

        One statement written from the models' own tables and columns: the ORM took three
        times as long to put it together as the database to answer it, twice a timeline page.
        Only ``ids`` choose the records, whatever this queryset's filters.
        """
        if not ids:
            return {}
        field = self.model._meta.get_field(relation)
        through = field.remote_field.through._meta
        linked = field.related_model._meta
        quote = connections[self.db].ops.quote_name

        def column(meta, name):
            return quote(meta.get_field(name).column)

        def order_by(name):
            named = name.removeprefix("-") if isinstance(name, str) else None
            by = linked.pk if named == "pk" else linked.get_field(named) if named else None
            if by is None or by.is_relation or not by.concrete:
                # An expression or a relation in Meta.ordering is the ORM's to write.
                raise ValueError(f"{linked.label} is ordered by {name!r}, not by its columns")
            return f"l.{quote(by.column)}{' DESC' if name.startswith('-') else ''}"

        shown = ", ".join(f"l.{column(linked, name)}" for name in LINK_FIELDS)
        order = ", ".join([*map(order_by, linked.ordering), f"l.{quote(linked.pk.column)}"])
        source = column(through, field.m2m_field_name())
        target = column(through, field.m2m_reverse_field_name())
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT t.{source}, {shown}"
            f" FROM {quote(through.db_table)} t JOIN {quote(linked.db_table)} l"
            f" ON l.{quote(linked.pk.column)} = t.{target}"
            f" WHERE t.{source} IN ({marks}) ORDER BY {order}"
        )
        links = defaultdict(list)
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, list(ids))
            for record_id, *link in cursor.fetchall():
                links[record_id].append(RecordLink(field.related_model, *link))
        return links

    def facet_counts(self, spec, ids, limit):
        """The ``limit`` commonest options of a list's facet (a ``filters.FacetSpec``) among
        these records with ``ids`` (a subquery; None for all of them), as (value, name or
        None, count): a column's values, the records a relation links to, or the reports
        that speak of them."""
        records = self if ids is None else self.filter(pk__in=ids)
        if spec.by_report:
            counts = Statement.objects.report_counts(self.model, ids, limit=limit)
            return _named_counts(Report.objects, counts)
        if not spec.related:
            group = YearOf(spec.field) if spec.year else F(spec.field)
            rows = (
                records.order_by()
                .values(facet_value=group)
                .exclude(facet_value__isnull=True)
                .annotate(count=Count("pk"))
                .order_by("-count", "facet_value")[:limit]
            )
            return [(row["facet_value"], None, row["count"]) for row in rows]
        field = self.model._meta.get_field(spec.field)
        if field.many_to_many:
            # Counted in the link table alone: its rows are unique per pair, so no DISTINCT
            # and no join to the whole collection.
            m2m = field.field if field.auto_created else field
            links = m2m.remote_field.through.objects.all()
            # Each side's foreign key on the link table, seen from this model.
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            if field.auto_created:
                source, target = target, source
            if ids is not None:
                links = links.filter(**{f"{source}__in": ids})
        else:
            links, target = records, spec.field
        counts = dict(
            links.order_by()
            .exclude(**{f"{target}__isnull": True})
            .values_list(target)
            .annotate(count=Count("pk"))
            .order_by("-count", target)[:limit]
        )
        return _named_counts(field.related_model._default_manager, counts)

    def for_detail(self):
        """With everything a record's page shows: its linked records whole, the report
        sections it comes from, what each report says of it and a figure's values."""
        model = self.model
        records = self.select_related(*model.list_select_related).prefetch_related(
            *model.list_prefetch_related
        )
        if hasattr(model, "sources"):
            records = records.prefetch_related(
                Prefetch("sources", queryset=Section.objects.select_related("report")),
                Prefetch(
                    "statements",
                    queryset=Statement.objects.select_related("report").in_report_order(),
                ),
            )
        if model is Figure:
            records = records.prefetch_related(
                Prefetch("values", queryset=FigureValue.objects.select_related("report"))
            )
        return records.prefetch_related(*model.detail_prefetch_related)

    def matching(self, query):
        """Records in which every term of ``query`` appears in one of the model's
        ``search_fields`` or, for Latin letters, at the start of the name's pinyin or
        initials."""
        if not query_terms(query):
            return self
        return self.filter(pk__in=matching_ids(self.model, query))

    def spoken_of_by(self, report):
        """The records ``report`` says something of."""
        # A subquery on the statements rather than a join through the generic relation,
        # which would look the content type up (a query of its own) first.
        statements = Statement.objects.about_model(self.model).filter(report=report)
        return self.filter(pk__in=statements.values("object_id"))

    def as_told_by(self, report, earlier_reports, limit):
        """The first ``limit`` records in pinyin order that ``report`` is the earliest to speak
        of, then the first ``limit`` that one of ``earlier_reports`` spoke of before it: each
        marked ``repeated`` and carrying ``group_size``, the whole count of its group.

        One query per collection, however many records the report holds.
        """
        earlier = Statement.objects.about_model(self.model).filter(
            object_id=OuterRef("pk"), report__in=earlier_reports
        )
        in_group = [F("repeated")]
        return (
            self.spoken_of_by(report)
            .annotate(repeated=Exists(earlier))
            .annotate(
                place=Window(RowNumber(), partition_by=in_group, order_by=["sort_key", "name"]),
                group_size=Window(Count("pk"), partition_by=in_group),
            )
            .filter(place__lte=limit)
            .order_by("repeated", "sort_key", "name")
        )

    def ranked(self, query):
        """The name itself first, then names that start with the query, then names that
        contain every term, then alias or pinyin matches, then matches in the text."""
        terms = query_terms(query)
        if not terms:
            return self.in_pinyin_order()
        rank = match_rank(self.model, terms)
        return self.annotate(match_rank=rank).order_by("match_rank", "sort_key", "name")


class NamedManager(models.Manager.from_queryset(NamedQuerySet)):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class NamedRecord(models.Model):
    """A record known by its exact name, with derived pinyin keys.

    ``slug``, ``sort_key``, ``pinyin`` and ``initials`` are derived from ``name`` by a
    ``pre_save`` handler (see ``signals.py``), which also runs for ``loaddata``'s raw saves.
    """

    name = models.CharField(_("名称"), max_length=200, unique=True)
    slug = models.SlugField(
        _("网址标识"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("留空则按名称拼音生成；生成后不随名称改动，以免旧链接失效。"),
    )
    sort_key = models.CharField(_("拼音排序键"), max_length=600, blank=True, editable=False)
    # Indexed for prefix search by pinyin (shanhu) and initials (ttg).
    pinyin = models.CharField(_("全拼"), max_length=600, blank=True, editable=False, db_index=True)
    initials = models.CharField(
        _("拼音首字母"), max_length=200, blank=True, editable=False, db_index=True
    )
    # The report is Chinese and so are its records; an official English name, where one
    # exists, helps readers of the English pages and is never made up.
    name_en = models.CharField(
        _("英文名称"),
        max_length=200,
        blank=True,
        help_text=_("仅填写官方使用的英文名称；没有把握就留空。"),
    )
    description = models.TextField(_("简介"), blank=True)
    ambiguity = models.TextField(
        _("存疑说明"), blank=True, help_text=_("报道在哪里含糊、前后不一或没有交代。")
    )
    is_synthetic = models.BooleanField(
        _("合成数据"),
        default=False,
        help_text=_("由 synthesize 命令生成，用于规模测试，并非报道内容。"),
    )

    objects = NamedManager()

    # The public collection a record is listed in, e.g. "schools" for /schools/<slug>/.
    collection = None
    list_select_related = ()
    list_prefetch_related = ()
    # What a detail page shows beside the record: its other relations, one query each.
    detail_prefetch_related = ()
    # The text search looks in.
    search_fields = ("name", "name_en", "aliases", "description")

    class Meta:
        abstract = True
        ordering = ["sort_key", "name"]
        # Lists open in pinyin order; without this every first page sorts the whole table.
        indexes = [models.Index(fields=["sort_key", "name"], name="%(class)s_pinyin_order")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(f"{self.collection}-detail", args=[self.slug])

    def natural_key(self):
        return (self.name,)

    def refresh_derived_fields(self):
        """Set the pinyin keys from the name; returns the slug the name would start from."""
        keys = pinyin.name_keys(self.name)
        self.sort_key, self.pinyin, self.initials = keys.sort_key, keys.pinyin, keys.initials
        return keys.slug

    @property
    def alias_list(self):
        return [line.strip() for line in getattr(self, "aliases", "").splitlines() if line.strip()]


class ReportQuerySet(NamedQuerySet):
    def with_sections(self, cited_per_kind):
        """With each report's sections, and of the records of each kind that cite a section the
        first ``cited_per_kind`` in pinyin order (one more, to tell whether there are more), as
        the section's ``first_<relation>``."""
        cited = [
            Prefetch(
                relation,
                queryset=Section._meta.get_field(relation).related_model.objects.in_pinyin_order()[
                    : cited_per_kind + 1
                ],
                to_attr=f"first_{relation}",
            )
            for relation in Section.cited_by
        ]
        sections = Section.objects.prefetch_related(*cited)
        return self.prefetch_related(Prefetch("sections", queryset=sections))


class Report(NamedRecord, PartialDate):
    """One published report: the source every other record cites."""

    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    authors = models.CharField(
        _("作者"), max_length=200, blank=True, help_text=_("按报道署名原样填写。")
    )
    photo_credit = models.CharField(_("图片来源"), max_length=200, blank=True)
    publisher = models.CharField(_("刊载媒体"), max_length=200, blank=True)
    publication_note = models.TextField(
        _("刊载信息说明"), blank=True, help_text=_("媒体、日期、版面中哪些已知、哪些由推断而来。")
    )
    source_file = models.CharField(_("原文文件"), max_length=200, blank=True)

    objects = NamedManager.from_queryset(ReportQuerySet)()

    collection = "reports"
    search_fields = ("name", "name_en", "subtitle", "authors", "description")

    @property
    def order_key(self):
        """Reports in the order they were published, undated ones last, then by name: the
        order in which they speak of a record, whatever order they were loaded in."""
        return report_order_key(self.date, self.name)

    def contribution(self, limit):
        """What this report adds to the other reports, what it repeats of theirs and which
        figures it gives a new value for (see ``Contribution``). The first ``limit`` records
        of each kind are named.

        Worked out even without another report, so that a report's page costs the same
        number of queries whether it is alone or not.
        """
        others = list(Report.objects.exclude(pk=self.pk).only("pk", "name", "date"))
        earlier = [report for report in others if report.order_key < self.order_key]
        kinds = []
        for relation in Section.cited_by:
            model = Section._meta.get_field(relation).related_model
            told = list(model.objects.as_told_by(self, earlier, limit + 1))
            kinds.append(Told(model, told))
        changes = []
        for value in FigureValue.objects.changed_by(self, limit + 1):
            before = value.previous_in(value.figure.series())
            if before is not None:
                changes.append((before, value))
        return Contribution(kinds, changes, compared=bool(others))

    class Meta(NamedRecord.Meta):
        verbose_name = _("报道")
        verbose_name_plural = _("报道")


class Told:
    """The records of one kind a report speaks of, as ``as_told_by`` gives them: those it is
    the first to speak of (``added``) and those an earlier report spoke of (``repeated``),
    each group with its whole count."""

    def __init__(self, model, records):
        self.model = model
        self.added = [record for record in records if not record.repeated]
        self.repeated = [record for record in records if record.repeated]
        self.added_count = self.added[0].group_size if self.added else 0
        self.repeated_count = self.repeated[0].group_size if self.repeated else 0


class Contribution:
    def __init__(self, kinds, changes, compared):
        self.kinds = kinds
        # Whether there is another report to compare with at all.
        self.compared = compared
        # (earlier value, this report's value) for each figure it gives another number for.
        self.changes = changes

    @property
    def added_count(self):
        return sum(told.added_count for told in self.kinds)

    @property
    def repeated_count(self):
        return sum(told.repeated_count for told in self.kinds)


def report_order_key(date, name):
    return (date is None, date or datetime.date.max, name)


class SectionKind(models.TextChoices):
    QUOTATION = "quotation", _("引语")
    LEAD = "lead", _("导语")
    HEADLINE = "headline", _("标题")
    SECTION = "section", _("正文小节")
    BYLINE = "byline", _("署名")
    SIDEBAR = "sidebar", _("侧栏")
    CAPTION = "caption", _("图片说明")
    BANNER = "banner", _("通栏标题")


class SectionManager(models.Manager):
    def get_by_natural_key(self, report_name, key):
        return self.get(report__name=report_name, key=key)


class Section(models.Model):
    """A part of a report (lead, section, sidebar, photo caption) that records cite."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="sections", verbose_name=_("报道")
    )
    key = models.SlugField(
        _("标识"), max_length=50, help_text=_("在本报道内唯一，如 s1、sidebar-1。")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("类型"), max_length=10, choices=SectionKind.choices)
    heading = models.CharField(_("标题"), max_length=200, blank=True)
    subheading = models.CharField(_("副标题"), max_length=200, blank=True)
    summary = models.TextField(_("内容提要"), blank=True)

    objects = SectionManager()

    # The reverse relations of SourcedRecord.sources: everything that cites a section.
    cited_by = (
        "zones",
        "initiatives",
        "schools",
        "awards",
        "organizations",
        "publications",
        "figures",
        "slogans",
        "milestones",
    )

    class Meta:
        verbose_name = _("报道章节")
        verbose_name_plural = _("报道章节")
        ordering = ["report", "order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="section_unique_key_per_report")
        ]

    def __str__(self):
        return f"{self.report.name} · {self.label}"

    @property
    def label(self):
        title = " ".join(part for part in (self.heading, self.subheading) if part)
        return title or self.get_kind_display()

    def natural_key(self):
        return (*self.report.natural_key(), self.key)

    natural_key.dependencies = ["reforms.report"]


class SourcedRecord(NamedRecord):
    """A record drawn from one or more report sections."""

    aliases = models.TextField(
        _("别称"), blank=True, help_text=_("报道中出现的其他写法，每行一个，如“十一中”。")
    )
    sources = models.ManyToManyField(
        Section, related_name="%(class)ss", blank=True, verbose_name=_("出处")
    )
    # What each report says of the record (see ``Statement``).
    statements = GenericRelation("Statement", related_query_name="%(class)s")

    class Meta(NamedRecord.Meta):
        abstract = True

    def keep_own_words_in_step(self, from_record):
        """Keep the record's description and ambiguity equal to its earliest report's words:
        copied to that report's statement when an editor changed the record's, else taken
        from it (an editor changed the statement)."""
        statements = list(self.statements.select_related("report"))
        if not statements:
            return
        first = min(statements, key=lambda statement: statement.report.order_key)
        words = (self.description, self.ambiguity)
        if words == (first.description, first.ambiguity):
            return
        if from_record:
            first.description, first.ambiguity = words
            first.save(update_fields=["description", "ambiguity"])
        else:
            self.description, self.ambiguity = first.description, first.ambiguity
            self.save()


def refuse_parent_loop(record, message):
    """Refuse a ``parent`` that leads back to ``record``.

    Every ancestor seen is remembered, so a loop already in the data ends the walk too.
    """
    seen = {record.pk} if record.pk is not None else set()
    ancestor = record.parent
    while ancestor is not None:
        if ancestor.pk in seen:
            raise ValidationError({"parent": message})
        seen.add(ancestor.pk)
        ancestor = ancestor.parent


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", _("政府及教育行政部门")
    RESEARCH = "research", _("科研机构")
    UNIVERSITY = "university", _("高校")
    COMPANY = "company", _("企业")
    MEDIA = "media", _("媒体")
    VENUE = "venue", _("场馆")
    STUDIO = "studio", _("工作室")
    OTHER = "other", _("其他")


class Organization(SourcedRecord):
    """A partner, government body, research institute, company, outlet or venue."""

    kind = models.CharField(
        _("类型"), max_length=12, choices=OrganizationKind.choices, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("上级机构"),
    )

    collection = "organizations"
    list_select_related = ("parent",)
    detail_prefetch_related = (
        "units",
        "initiatives__zones",
        "initiatives__schools",
        "partner_zones",
        "conferred_zones",
        "conferred_awards",
        "publications",
        "milestones",
    )

    class Meta(SourcedRecord.Meta):
        verbose_name = _("机构")
        verbose_name_plural = _("机构")

    def clean(self):
        super().clean()
        refuse_parent_loop(self, _("上级机构不能是它自己或它的下属机构。"))


class SchoolStage(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("幼儿园")
    PRIMARY = "primary", _("小学")
    SECONDARY = "secondary", _("中学")
    VOCATIONAL = "vocational", _("职业学校")
    SPECIAL = "special", _("特殊教育")
    TEACHER_TRAINING = "teacher_training", _("教师培训")
    OTHER = "other", _("其他")


class School(SourcedRecord):
    """A school or educational institution the report names."""

    stage = models.CharField(_("学段"), max_length=16, choices=SchoolStage.choices, db_index=True)

    collection = "schools"
    detail_prefetch_related = ("awards", "initiatives", "milestones", "figures")

    class Meta(SourcedRecord.Meta):
        verbose_name = _("学校及机构")
        verbose_name_plural = _("学校及机构")


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    MUNICIPAL = "municipal", _("市级")
    DISTRICT = "district", _("区级")
    CONFLICTING = "conflicting", _("表述不一")
    UNSTATED = "unstated", _("未说明")


class Zone(SourcedRecord, PartialDate):
    """An experimental zone or pilot designation (实验区、试验区) held by the district."""

    level = models.CharField(_("级别"), max_length=12, choices=Level.choices, db_index=True)
    conferring_body = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conferred_zones",
        verbose_name=_("授予机构"),
    )
    batch = models.CharField(_("批次"), max_length=50, blank=True, help_text=_("如“首批”。"))
    partners = models.ManyToManyField(
        Organization, related_name="partner_zones", blank=True, verbose_name=_("合作机构")
    )

    collection = "zones"
    list_select_related = ("conferring_body",)
    detail_prefetch_related = (
        "partners",
        "initiatives__schools",
        "initiatives__partners",
        "milestones",
        "figures",
        "slogans",
    )

    class Meta(SourcedRecord.Meta):
        verbose_name = _("实验区")
        verbose_name_plural = _("实验区")


class InitiativeKind(models.TextChoices):
    PROGRAMME = "programme", _("项目")
    ACTION = "action", _("行动")
    PLAN = "plan", _("行动计划")
    MECHANISM = "mechanism", _("机制与制度")
    TRAINING = "training", _("培训")
    ACTIVITY = "activity", _("活动")
    COURSE = "course", _("课程")
    PLATFORM = "platform", _("平台与实验室")


class Initiative(SourcedRecord, PartialDate):
    """A reform measure, programme or action plan; sub-actions hang under their parent."""

    kind = models.CharField(_("类型"), max_length=10, choices=InitiativeKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级举措"),
    )
    order = models.PositiveSmallIntegerField(_("在上级举措中的顺序"), default=0)
    zones = models.ManyToManyField(
        Zone, related_name="initiatives", blank=True, verbose_name=_("所属实验区")
    )
    partners = models.ManyToManyField(
        Organization, related_name="initiatives", blank=True, verbose_name=_("合作机构")
    )
    schools = models.ManyToManyField(
        School, related_name="initiatives", blank=True, verbose_name=_("参与学校")
    )

    collection = "initiatives"
    list_select_related = ("parent",)
    list_prefetch_related = ("zones",)
    detail_prefetch_related = (
        "children",
        "partners",
        "schools",
        "publications",
        "milestones",
        "figures",
        "slogans",
    )

    class Meta(SourcedRecord.Meta):
        verbose_name = _("改革举措")
        verbose_name_plural = _("改革举措")

    def clean(self):
        super().clean()
        refuse_parent_loop(self, _("上级举措不能是它自己或它的下级。"))


class PublicationKind(models.TextChoices):
    BOOK = "book", _("论著")
    POLICY = "policy", _("政策文件")
    PLAN = "plan", _("行动计划")
    REGULATION = "regulation", _("实施办法")


class Publication(SourcedRecord, PartialDate):
    """A book or document the report names, with its title exactly as printed."""

    kind = models.CharField(
        _("类型"), max_length=10, choices=PublicationKind.choices, db_index=True
    )
    initiatives = models.ManyToManyField(
        Initiative, related_name="publications", blank=True, verbose_name=_("相关举措")
    )
    organizations = models.ManyToManyField(
        Organization, related_name="publications", blank=True, verbose_name=_("相关机构")
    )

    collection = "publications"
    detail_prefetch_related = ("initiatives", "organizations")

    class Meta(SourcedRecord.Meta):
        verbose_name = _("论著与文件")
        verbose_name_plural = _("论著与文件")


class Award(SourcedRecord, PartialDate):
    """An award, honour or title given to one or more schools."""

    level = models.CharField(_("级别"), max_length=12, choices=Level.choices, db_index=True)
    grade = models.CharField(
        _("等次"),
        max_length=50,
        blank=True,
        db_index=True,
        help_text=_("如“特等奖”；分不清时照报道原样写。"),
    )
    batch = models.CharField(_("批次"), max_length=50, blank=True)
    conferring_body = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conferred_awards",
        verbose_name=_("授予机构"),
    )
    recipients = models.ManyToManyField(
        School, related_name="awards", blank=True, verbose_name=_("获得者")
    )

    collection = "awards"
    list_select_related = ("conferring_body",)
    list_prefetch_related = ("recipients",)

    class Meta(SourcedRecord.Meta):
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")


class FigureQuerySet(NamedQuerySet):
    # Counts of parts (两大重点, 六大行动) describe structure rather than scale.
    STRUCTURAL_UNITS = ("个", "级")

    def headline(self, limit=8):
        """The figures that show the reform's scale, largest first, for the home page."""
        return self.exclude(unit__in=self.STRUCTURAL_UNITS).order_by("-value", "sort_key")[:limit]


class Qualifier(models.TextChoices):
    EXACT = "", _("确数")
    OVER = "超", _("超过")
    NEARLY = "近", _("将近")
    ONLY = "仅", _("仅")


class Figure(SourcedRecord, PartialDate):
    """A measure the reports give numbers for; ``name`` says what it measures.

    Each report's number is a ``FigureValue``, dated where the report says as of when. The
    value, unit, wording and date on the figure itself are those of its latest value, kept
    here so that lists sort, filter and count figures without a join.
    """

    objects = NamedManager.from_queryset(FigureQuerySet)()

    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20, blank=True, db_index=True)
    qualifier = models.CharField(
        _("限定"),
        max_length=2,
        choices=Qualifier.choices,
        blank=True,
        default=Qualifier.EXACT,
        db_index=True,
    )
    as_written = models.CharField(_("原文写法"), max_length=100, help_text=_("如“超6000人”。"))
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="figures",
        verbose_name=_("相关举措"),
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="figures",
        verbose_name=_("相关实验区"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="figures",
        verbose_name=_("相关学校"),
    )

    value_count = models.PositiveIntegerField(
        _("数值个数"), default=1, editable=False, help_text=_("各篇报道给出的数值共有几个。")
    )

    collection = "figures"
    search_fields = ("name", "name_en", "as_written", "aliases", "description")
    list_select_related = ("initiative", "zone", "school")
    # The fields each report gives a value of its own for.
    VALUE_FIELDS = (
        "value",
        "unit",
        "qualifier",
        "as_written",
        "date",
        "date_precision",
        "date_inferred",
        "date_inference",
    )

    class Meta(SourcedRecord.Meta):
        verbose_name = _("数据")
        verbose_name_plural = _("数据")

    @property
    def value_display(self):
        """The value without trailing zeros: 6000, 100, 3.5."""
        return format(self.value.normalize(), "f")

    def series(self):
        """The figure's values in time order, oldest first (from ``values`` as prefetched)."""
        return sorted(self.values.all(), key=FigureValue.time_key)

    def show_latest_value(self):
        """Copy the latest of the figure's values onto the figure; True if that changed it."""
        values = sorted(self.values.select_related("report"), key=FigureValue.time_key)
        # Without any value left, the figure keeps the last one it showed.
        shown = {name: getattr(values[-1], name) for name in self.VALUE_FIELDS} if values else {}
        shown["value_count"] = len(values)
        changed = any(getattr(self, name) != value for name, value in shown.items())
        for name, value in shown.items():
            setattr(self, name, value)
        return changed


class FigureValueQuerySet(models.QuerySet):
    def changed_by(self, report, limit):
        """The first ``limit`` values ``report`` gives for figures other reports give values
        for too, in the figures' pinyin order, each figure with its whole series at hand."""
        series = FigureValue.objects.select_related("report")
        return (
            self.filter(report=report, figure__value_count__gt=1)
            .select_related("figure")
            .prefetch_related(models.Prefetch("figure__values", queryset=series))
            .order_by("figure__sort_key", "figure__name")[:limit]
        )


class FigureValue(PartialDate):
    """One report's number for a figure: 26所 in one report, 32所 as of a later date in the next.

    Several values stand side by side, like a statement's values on Wikidata; none replaces
    another. ``report`` is empty for a value entered by an editor rather than a report.
    """

    figure = models.ForeignKey(
        Figure, on_delete=models.CASCADE, related_name="values", verbose_name=_("数据")
    )
    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="figure_values",
        verbose_name=_("报道"),
    )
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=20)
    qualifier = models.CharField(
        _("限定"), max_length=2, choices=Qualifier.choices, blank=True, default=Qualifier.EXACT
    )
    as_written = models.CharField(_("原文写法"), max_length=100, help_text=_("如“超6000人”。"))

    objects = FigureValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("数值")
        verbose_name_plural = _("数值")
        constraints = [
            models.UniqueConstraint(fields=["figure", "report"], name="figurevalue_one_per_report")
        ]

    def __str__(self):
        return self.as_written

    @property
    def value_display(self):
        return format(self.value.normalize(), "f")

    def time_key(self):
        """When the value held: its own date, else its report's; undated values first."""
        report = self.report
        when = self.date or (report.date if report else None)
        return (when is not None, when or datetime.date.min, report_order_key_of(report))

    def previous_in(self, series):
        """The value before this one in the figure's ``series`` if it says something else
        (another number, unit or qualifier), else None."""
        place = series.index(self)
        if place == 0:
            return None
        before = series[place - 1]
        same = (before.value, before.unit, before.qualifier) == (
            self.value,
            self.unit,
            self.qualifier,
        )
        return None if same else before


def report_order_key_of(report):
    return report.order_key if report else report_order_key(None, "")


class StatementQuerySet(models.QuerySet):
    def about_model(self, model):
        """Statements about records of ``model``. The content type is matched by its natural
        key, a join to a table of a few rows, so it costs no query of its own and does not
        depend on a per-process cache."""
        return self.filter(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
        )

    def in_report_order(self):
        """Oldest report first, undated ones last, then by name (``Report.order_key``)."""
        return self.order_by(F("report__date").asc(nulls_last=True), "report__name")

    def report_counts(self, model, ids=None, limit=None):
        """{report pk: number of ``model`` records it speaks of} for the records with these
        ``ids`` (all for None), most first: one grouped query. A statement is unique per
        record and report, so counting rows counts records."""
        statements = self.about_model(model)
        if ids is not None:
            statements = statements.filter(object_id__in=ids)
        rows = (
            statements.order_by()
            .values_list("report")
            .annotate(count=Count("pk"))
            .order_by("-count", "report")
        )
        return dict(rows[:limit] if limit else rows)


class Statement(models.Model):
    """What one report says of one record: its own words, the fields it gives and the links
    it makes.

    A record gathers what every report says; a later report adds to it and never replaces
    an earlier one's words. ``given`` keeps the fields as the report gave them (values in
    fixture form), so a report can be written back, checked against or taken out on its own;
    ``links`` the primary keys of the records it links, per many-to-many field.
    """

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="statements", verbose_name=_("报道")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # Where the report lists the record: its fixture is written back in this order.
    position = models.PositiveIntegerField(default=0)
    description = models.TextField(_("简介"), blank=True)
    ambiguity = models.TextField(_("存疑说明"), blank=True)
    given = models.JSONField(_("所给字段"), default=dict, blank=True)
    links = models.JSONField(_("所作关联"), default=dict, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("报道所述")
        verbose_name_plural = _("报道所述")
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "report"], name="statement_one_per_report"
            )
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="statement_record"),
            models.Index(fields=["report", "content_type"], name="statement_report_kind"),
        ]

    def __str__(self):
        return f"{self.report} · {self.content_type.model} {self.object_id}"

    def states(self, field_name):
        """Whether the report gives a value for the field (a blank one says nothing)."""
        return self.given.get(field_name) not in (None, "", [], False)


class SloganKind(models.TextChoices):
    VISION = "vision", _("愿景")
    GOAL = "goal", _("目标")
    PRINCIPLE = "principle", _("原则")
    APPROACH = "approach", _("工作思路")
    THEME = "theme", _("活动主题")
    QUOTATION = "quotation", _("引语")


class Slogan(SourcedRecord):
    """A vision, principle, theme or motto, with its wording exactly as printed."""

    kind = models.CharField(_("类型"), max_length=10, choices=SloganKind.choices, db_index=True)
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slogans",
        verbose_name=_("相关举措"),
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slogans",
        verbose_name=_("相关实验区"),
    )

    collection = "slogans"
    list_select_related = ("initiative", "zone")

    class Meta(SourcedRecord.Meta):
        verbose_name = _("口号与理念")
        verbose_name_plural = _("口号与理念")


class MilestoneQuerySet(NamedQuerySet):
    def most_recent(self, limit=5):
        return self.order_by("-date", "sort_key")[:limit]


class Milestone(SourcedRecord, PartialDate):
    """A dated event. ``name`` is a short title for it."""

    objects = NamedManager.from_queryset(MilestoneQuerySet)()

    zones = models.ManyToManyField(
        Zone, related_name="milestones", blank=True, verbose_name=_("相关实验区")
    )
    initiatives = models.ManyToManyField(
        Initiative, related_name="milestones", blank=True, verbose_name=_("相关举措")
    )
    schools = models.ManyToManyField(
        School, related_name="milestones", blank=True, verbose_name=_("相关学校")
    )
    organizations = models.ManyToManyField(
        Organization, related_name="milestones", blank=True, verbose_name=_("相关机构")
    )

    collection = "milestones"
    list_prefetch_related = ("zones", "initiatives")
    detail_prefetch_related = ("schools", "organizations")

    class Meta(SourcedRecord.Meta):
        verbose_name = _("大事记")
        verbose_name_plural = _("大事记")
        ordering = ["date", "sort_key"]

    def clean(self):
        super().clean()
        if not self.date:
            raise ValidationError({"date": _("大事记必须有日期（至少到年）。")})


def _concrete_models(base):
    for model in base.__subclasses__():
        if not model._meta.abstract:
            yield model
        yield from _concrete_models(model)


# Every kind of named record, in the order of their definition above, where each comes after
# those it refers to: a model defined above is in every list the project derives from this one.
NAMED_MODELS = tuple(_concrete_models(NamedRecord))
# What a fixture holds, in the order a dump writes it and loading needs it: sources first.
FIXTURE_MODELS = (Report, Section, *(model for model in NAMED_MODELS if model is not Report))

# Every version of every record, relations included, with who changed it and when, so a wrong
# edit in the admin can be reverted (see reforms.history).
for _model in (*NAMED_MODELS, Section):
    simple_history.register(
        _model,
        app="reforms",
        records_class=RecordHistory,
        m2m_fields=[field.name for field in _model._meta.many_to_many],
        excluded_fields=["sort_key", "pinyin", "initials"],
    )


class FixtureLoad(models.Model):
    """Which version of each fixture file is in the database.

    ``make run`` loads a fixture only when its content differs from what was last loaded, so
    corrections made in the admin survive a restart.
    """

    name = models.CharField(_("文件"), max_length=200, unique=True)
    sha256 = models.CharField(_("内容摘要"), max_length=64)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        verbose_name = _("已载入的数据文件")
        verbose_name_plural = _("已载入的数据文件")

    def __str__(self):
        return self.name


class DataVersion(models.Model):
    """One counter that every change to the records moves on.

    Cached pages are keyed by it. It lives in the database because that is the one store every
    gunicorn worker, every host and every ``manage.py`` process shares, whatever the cache.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self):
        return f"v{self.version}"


class FacetCountQuerySet(models.QuerySet):
    def stored(self, version, keys):
        """{key: rows} for those of ``keys`` counted at data version ``version``."""
        return dict(self.filter(data_version=version, key__in=keys).values_list("key", "rows"))

    def keep(self, version, counted):
        """Store ``counted`` ({key: (collection, facet, filters, rows)}) for ``version``,
        unless the counts kept for it are already ``FacetCount.MAX_KEPT``: the filters a
        query string can combine are unbounded, the table must not be. Another process may
        have stored the same counts meanwhile; its rows are the same."""
        if not counted or self.filter(data_version=version).count() >= FacetCount.MAX_KEPT:
            return
        self.bulk_create(
            [
                FacetCount(
                    data_version=version,
                    key=key,
                    collection=collection,
                    facet=facet,
                    filters=filters,
                    rows=rows,
                )
                for key, (collection, facet, filters, rows) in counted.items()
            ],
            ignore_conflicts=True,
        )

    def keep_quietly(self, version, counted):
        """``keep``, never failing the page that counted: another process writing at the same
        moment (SQLite allows one writer) only means the next page counts again."""
        if not counted:
            return
        try:
            with transaction.atomic(using=self.db):
                self.keep(version, counted)
        except DatabaseError:
            logger.info("derived counts not kept this time", exc_info=True)


class FacetCount(models.Model):
    """A facet's counts for one collection under one combination of the other filters, as
    they were at one data version: derived from the records, so that a list page reads its
    counts instead of grouping the whole collection on every request. The search page keeps
    its groups here too, under the facet ``SEARCH``: for a word of the index (``filters``),
    how many of the collection's records hold it and which come first.

    Rows of older versions are never read and are deleted when the version moves on. The
    key is a hash of (collection, facet, filters), which can be longer than an index holds.
    """

    SEARCH = "search"

    # Enough for every facet of every collection under thousands of filter combinations;
    # beyond it pages count for themselves, as they would without this table.
    MAX_KEPT = 20_000

    data_version = models.PositiveBigIntegerField()
    key = models.CharField(max_length=64)
    collection = models.CharField(max_length=100)
    facet = models.CharField(max_length=50)
    filters = models.TextField(blank=True)
    # [[value, name or null, count], ...], most first, as the facet was counted.
    rows = models.JSONField()

    objects = FacetCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("筛选计数")
        verbose_name_plural = _("筛选计数")
        constraints = [
            models.UniqueConstraint(fields=["data_version", "key"], name="facetcount_version_key")
        ]

    def __str__(self):
        return f"{self.collection} {self.facet} {self.filters}"

    @staticmethod
    def key_for(model, facet, filters):
        return hashlib.sha256(f"{model._meta.label}\0{facet}\0{filters}".encode()).hexdigest()


class DraftQuerySet(models.QuerySet):
    def named(self, name):
        return self.filter(name=name)


class Draft(models.Model):
    """A report drafted from its text, waiting for an editor's review.

    Drafts live apart from the record tables on purpose: nothing a draft proposes can show on
    a public page, in a count, a facet, a search, an export or the open data until it is
    published, which loads the accepted candidates through ``reforms.loading`` like any
    fixture.
    """

    name = models.CharField(_("报道标题"), max_length=200, unique=True)
    report = models.JSONField(_("报道字段"), default=dict)
    sections = models.JSONField(_("章节"), default=list)
    source_file = models.CharField(_("原文文件"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("草拟时间"), auto_now_add=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("报道草稿")
        verbose_name_plural = _("报道草稿")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class Decision(models.TextChoices):
    PENDING = "pending", _("待审")
    ACCEPTED = "accepted", _("采用")
    REJECTED = "rejected", _("不采用")
    MERGED = "merged", _("并入已有记录")


class DraftCandidate(models.Model):
    """One record a draft proposes, as a fixture object, beside the sentence it came from."""

    draft = models.ForeignKey(
        Draft, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("草稿")
    )
    position = models.PositiveIntegerField(default=0)
    model = models.CharField(_("类型"), max_length=40)
    fields = models.JSONField(_("字段"), default=dict)
    evidence = models.TextField(_("原文依据"), blank=True)
    section = models.CharField(_("章节"), max_length=50, blank=True)
    repeat = models.BooleanField(_("已有记录"), default=False)
    decision = models.CharField(
        _("处理"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    merged_into = models.CharField(_("并入"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("草拟记录")
        verbose_name_plural = _("草拟记录")
        ordering = ["draft", "position"]

    def __str__(self):
        return self.fields.get("name", "")

    @property
    def name(self):
        return self.fields.get("name", "")

    @property
    def kind_label(self):
        from django.apps import apps

        return apps.get_model(self.model)._meta.verbose_name
