from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_m2m_reverse_field_name

from .drafting import DraftProblem
from .drafting import store as drafts
from .forms import PartialDateForm
from .loading import FixtureProblem, removal
from .models import (
    Award,
    Decision,
    Draft,
    Figure,
    FigureValue,
    Initiative,
    Milestone,
    Organization,
    PartialDate,
    Publication,
    Report,
    School,
    Section,
    Slogan,
    Statement,
    Zone,
)
from .registry import COLLECTIONS

admin.site.site_header = _("南岸教育改革门户 · 管理")
admin.site.site_title = _("南岸教育改革门户")
admin.site.index_title = _("数据管理")

DATE_FIELDSET = (
    _("日期"),
    {
        "fields": [("date_year", "date_month", "date_day"), "date_inferred", "date_inference"],
        "description": _(
            "只知道年份就只填年；知道月份再填月；知道具体日子再填日。"
            "年份若是从上下文推断的（如报道只写“今年”），请勾选“日期系推断”并写明依据。"
        ),
    },
)
NOTES_FIELDSET = (_("说明与出处"), {"fields": ["description", "ambiguity", "sources"]})
DERIVED_FIELDSET = (
    _("自动生成"),
    {
        "classes": ["collapse"],
        "fields": ["slug", "sort_key", "pinyin", "initials", "is_synthetic"],
    },
)


class VersionedAdmin(SimpleHistoryAdmin):
    """The history of each record, with every version revertible, relations included.

    django-simple-history fills a past version's form with the record's current relations;
    here they are the ones that version recorded, so reverting restores them too.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history hides the revert button from staff who may only view, but
        # saves what they post all the same: a revert is a change and needs its permission.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        version = getattr(obj, "_history", None)
        if version is None:
            return form
        recorded = {
            field.name: list(
                getattr(version, field.name).values_list(
                    get_m2m_reverse_field_name(field), flat=True
                )
            )
            for field in version._history_m2m_fields
        }

        class VersionForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.initial.update(recorded)

        return VersionForm


class StatementInline(GenericTabularInline):
    """What each report says of the record, in its own words.

    The record's own 简介 and 存疑说明 are the earliest report's words, edited above; the
    other reports' words are edited here. Statements come and go with their reports
    (``removereport``), never one by one.
    """

    model = Statement
    fields = ["report", "description", "ambiguity"]
    readonly_fields = ["report"]
    extra = 0
    can_delete = False
    verbose_name = _("一篇报道所述")
    verbose_name_plural = _("各篇报道所述")

    def has_add_permission(self, request, obj=None):
        return False


class RecordAdmin(VersionedAdmin):
    """What every record's admin shares: search by Chinese substring or pinyin, facet counts,
    and a history of every version with who made it, each one revertible."""

    inlines = [StatementInline]

    def get_inline_instances(self, request, obj=None):
        # A record being added has no report speaking of it yet.
        inlines = super().get_inline_instances(request, obj)
        return [i for i in inlines if obj is not None or not isinstance(i, StatementInline)]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if hasattr(form.instance, "statements"):
            own_words = {"description", "ambiguity"} & set(form.changed_data)
            form.instance.keep_own_words_in_step(from_record=bool(own_words))

    search_fields = ["name", "name_en", "aliases", "description", "pinyin", "initials"]
    readonly_fields = ["sort_key", "pinyin", "initials"]
    autocomplete_fields = ["sources"]
    show_facets = admin.ShowFacets.ALWAYS
    list_per_page = 50
    ordering = ["sort_key", "name"]

    @admin.display(description=_("日期"), ordering="date")
    def date_shown(self, obj):
        text = obj.date_display
        return _("%(date)s（推断）") % {"date": text} if text and obj.date_inferred else text


class DatedRecordAdmin(RecordAdmin):
    form = PartialDateForm


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "key", "kind", "heading", "subheading", "summary"]
    extra = 0


@admin.register(Report)
class ReportAdmin(DatedRecordAdmin):
    """Reports; deleting one is removing it, through the same code and the same list to
    confirm as ``manage.py removereport``."""

    inlines = [SectionInline]

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Removal is one report at a time, from its page, with what it takes listed first.
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        report = self.get_object(request, unquote(object_id))
        if report is None or not self.has_delete_permission(request, report):
            return super().delete_view(request, object_id, extra_context)
        plan = removal.plan(report)
        if request.method == "POST":
            try:
                removal.remove(plan, keep_linked=bool(request.POST.get("keep_linked")))
            except FixtureProblem as problem:
                self.message_user(request, str(problem), messages.ERROR)
                return redirect(request.path)
            self.message_user(request, _("已移除报道“%(name)s”。") % {"name": report.name})
            return redirect(reverse("admin:reforms_report_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("移除报道"),
            "opts": self.model._meta,
            "object": report,
            "summary": list(plan.summary()),
            "linked": plan.linked,
        }
        return TemplateResponse(request, "admin/reforms/report/remove_confirmation.html", context)

    list_display = ["name", "subtitle", "authors", "date_shown", "is_synthetic"]
    list_filter = ["is_synthetic"]
    search_fields = ["name", "name_en", "subtitle", "authors", "description", "pinyin"]
    autocomplete_fields = []
    fieldsets = [
        (None, {"fields": ["name", "name_en", "subtitle", "authors", "photo_credit", "publisher"]}),
        DATE_FIELDSET,
        (
            _("说明"),
            {"fields": ["description", "publication_note", "ambiguity", "source_file"]},
        ),
        DERIVED_FIELDSET,
    ]


@admin.register(Section)
class SectionAdmin(VersionedAdmin):
    list_display = ["label", "report", "order", "kind", "key"]
    list_filter = ["report", "kind"]
    list_select_related = ["report"]
    search_fields = ["heading", "subheading", "summary", "key", "report__name"]
    autocomplete_fields = ["report"]
    show_facets = admin.ShowFacets.ALWAYS
    ordering = ["report", "order"]


@admin.register(Organization)
class OrganizationAdmin(RecordAdmin):
    list_display = ["name", "kind", "parent", "is_synthetic"]
    list_filter = ["kind", "is_synthetic"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "sources"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "aliases", "kind", "parent"]}),
        NOTES_FIELDSET,
        DERIVED_FIELDSET,
    ]


@admin.register(School)
class SchoolAdmin(RecordAdmin):
    list_display = ["name", "stage", "is_synthetic"]
    list_filter = ["stage", "is_synthetic"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "aliases", "stage"]}),
        NOTES_FIELDSET,
        DERIVED_FIELDSET,
    ]


@admin.register(Zone)
class ZoneAdmin(DatedRecordAdmin):
    list_display = ["name", "level", "batch", "conferring_body", "date_shown", "is_synthetic"]
    list_filter = ["level", "is_synthetic"]
    list_select_related = ["conferring_body"]
    autocomplete_fields = ["conferring_body", "partners", "sources"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "name_en",
                    "aliases",
                    "level",
                    "batch",
                    "conferring_body",
                    "partners",
                ]
            },
        ),
        DATE_FIELDSET,
        NOTES_FIELDSET,
        DERIVED_FIELDSET,
    ]


class SubInitiativeInline(admin.TabularInline):
    model = Initiative
    fk_name = "parent"
    fields = ["order", "name", "kind"]
    extra = 0
    verbose_name = _("下级举措")
    verbose_name_plural = _("下级举措")
    show_change_link = True


class FigureInline(admin.TabularInline):
    model = Figure
    fields = ["name", "as_written", "value", "unit", "qualifier"]
    # A figure's number is one of its values, edited on the figure's own page.
    readonly_fields = ["as_written", "value", "unit", "qualifier"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Initiative)
class InitiativeAdmin(DatedRecordAdmin):
    list_display = ["name", "kind", "parent", "date_shown", "is_synthetic"]
    list_filter = ["kind", "zones", "date_inferred", "is_synthetic"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "zones", "partners", "schools", "sources"]
    inlines = [SubInitiativeInline, FigureInline, StatementInline]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "aliases", "kind", ("parent", "order")]}),
        (_("关联"), {"fields": ["zones", "partners", "schools"]}),
        DATE_FIELDSET,
        NOTES_FIELDSET,
        DERIVED_FIELDSET,
    ]


@admin.register(Publication)
class PublicationAdmin(DatedRecordAdmin):
    list_display = ["name", "kind", "date_shown", "is_synthetic"]
    list_filter = ["kind", "is_synthetic"]
    autocomplete_fields = ["initiatives", "organizations", "sources"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "aliases", "kind"]}),
        (_("关联"), {"fields": ["initiatives", "organizations"]}),
        DATE_FIELDSET,
        NOTES_FIELDSET,
        DERIVED_FIELDSET,
    ]


@admin.register(Award)
class AwardAdmin(DatedRecordAdmin):
    list_display = ["name", "level", "grade", "batch", "date_shown", "is_synthetic"]
    list_filter = ["level", "grade", "is_synthetic"]
    autocomplete_fields = ["conferring_body", "recipients", "sources"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "name_en",
                    "aliases",
                    "level",
                    "grade",
                    "batch",
                    "conferring_body",
                ]
            },
        ),
        (_("获得者"), {"fields": ["recipients"]}),
        DATE_FIELDSET,
        NOTES_FIELDSET,
        DERIVED_FIELDSET,
    ]


class FigureValueInline(admin.TabularInline):
    model = FigureValue
    form = PartialDateForm
    fields = [
        "report",
        "as_written",
        "value",
        "unit",
        "qualifier",
        "date_year",
        "date_month",
        "date_day",
        "date_inferred",
        "date_inference",
    ]
    autocomplete_fields = ["report"]
    extra = 0
    verbose_name_plural = _("各篇报道给出的数值")


@admin.register(Figure)
class FigureAdmin(RecordAdmin):
    list_display = [
        "name",
        "as_written",
        "value",
        "unit",
        "qualifier",
        "value_count",
        "is_synthetic",
    ]
    list_filter = ["unit", "qualifier", "is_synthetic"]
    search_fields = [*RecordAdmin.search_fields, "as_written"]
    autocomplete_fields = ["initiative", "zone", "school", "sources"]
    inlines = [FigureValueInline, StatementInline]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "name_en", "as_written", ("value", "unit", "qualifier")],
                "description": _(
                    "这里显示的是最新的数值；各篇报道给出的数值在下方“数值”中编辑。"
                    "新建数据时在这里填写的数值，保存后成为第一个数值。"
                ),
            },
        ),
        (_("关联"), {"fields": ["initiative", "zone", "school"]}),
        NOTES_FIELDSET,
        DERIVED_FIELDSET,
    ]

    def get_readonly_fields(self, request, obj=None):
        shown = list(super().get_readonly_fields(request, obj))
        # Once a figure has values, the number it shows is worked out from them.
        return shown if obj is None else [*shown, "as_written", "value", "unit", "qualifier"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        figure = form.instance
        if not figure.values.exists():
            FigureValue.objects.create(
                figure=figure, **{name: getattr(figure, name) for name in Figure.VALUE_FIELDS}
            )
        if figure.show_latest_value():
            figure.save()


@admin.register(Slogan)
class SloganAdmin(RecordAdmin):
    list_display = ["name", "kind", "initiative", "is_synthetic"]
    list_filter = ["kind", "is_synthetic"]
    list_select_related = ["initiative"]
    autocomplete_fields = ["initiative", "zone", "sources"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "aliases", "kind"]}),
        (_("关联"), {"fields": ["initiative", "zone"]}),
        NOTES_FIELDSET,
        DERIVED_FIELDSET,
    ]


@admin.register(Milestone)
class MilestoneAdmin(DatedRecordAdmin):
    list_display = ["name", "date_shown", "date_precision", "date_inferred", "is_synthetic"]
    list_filter = ["date_precision", "date_inferred", "zones", "is_synthetic"]
    ordering = ["date", "sort_key"]
    date_hierarchy = "date"
    autocomplete_fields = ["zones", "initiatives", "schools", "organizations", "sources"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "aliases"]}),
        DATE_FIELDSET,
        (_("关联"), {"fields": ["zones", "initiatives", "schools", "organizations"]}),
        NOTES_FIELDSET,
        DERIVED_FIELDSET,
    ]


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    """Drafted reports: each opens on its review page; deleting one leaves nothing behind."""

    list_display = ["name", "created_at", "source_file"]
    search_fields = ["name"]

    def has_add_permission(self, request):
        # Drafts come from report texts (manage.py draftreport), never typed in.
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        draft = self.get_object(request, unquote(object_id))
        if draft is None or not self.has_change_permission(request, draft):
            raise PermissionDenied
        candidates = list(draft.candidates.all())
        if request.method == "POST":
            try:
                for candidate in candidates:
                    decision = request.POST.get(f"decision-{candidate.pk}", candidate.decision)
                    target = request.POST.get(f"merge-{candidate.pk}", "").strip()
                    if decision in Decision.values:
                        drafts.decide(candidate, decision, target)
                if "publish" in request.POST:
                    drafts.publish(draft)
                    self.message_user(request, _("已发布报道“%(name)s”。") % {"name": draft.name})
                    return redirect(reverse("admin:reforms_draft_changelist"))
            except (DraftProblem, FixtureProblem) as problem:
                self.message_user(request, str(problem), messages.ERROR)
                return redirect(request.path)
            self.message_user(request, _("审阅已保存。"))
            return redirect(request.path)
        for candidate in candidates:
            candidate.shown_fields = "；".join(
                f"{name}：{value}"
                for name, value in candidate.fields.items()
                if name not in ("name", "sources") and value not in ("", None, [], False)
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("审阅草稿"),
            "opts": self.model._meta,
            "draft": draft,
            "candidates": candidates,
            "decisions": Decision.choices,
        }
        return TemplateResponse(request, "admin/reforms/draft/review.html", context)


def register_collections(site):
    """Register every collection of the registry on ``site``: a kind of record without an
    admin of its own gets the one every record shares, so a new kind is in the admin from the
    start."""
    for collection in COLLECTIONS:
        if not site.is_registered(collection.model):
            dated = issubclass(collection.model, PartialDate)
            site.register(collection.model, DatedRecordAdmin if dated else RecordAdmin)


register_collections(admin.site)
