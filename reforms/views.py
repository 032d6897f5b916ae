import sys

from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from . import charts, filters, opendata, tables, timeline, versioning
from .exports import PortalExport
from .linking import Linker
from .models import Figure, Milestone, Report, Zone
from .registry import COLLECTIONS, collection_for
from .search import results
from .search.terms import MAX_QUERY_TERMS, ignored_query_words, query_terms

LIST_PAGE_SIZE = 50


def reads_query(*names):
    """Name the query-string parameters a view reads.

    Nothing else in a query string reaches the view (see ``ReadQueryOnlyMiddleware``), so a
    page is the same, and cached once, whatever else a link carries.
    """

    def mark(view):
        view.query_parameters = frozenset(names)
        return view

    return mark


def _data_version(request):
    """(version, changed_at): as the page cache read it for this request, else read now."""
    return getattr(request, "data_version", None) or versioning.current()


def _page_below_one(page):
    # Short strings only: int() of a 5,000-digit string is refused by Python itself.
    try:
        return len(page) <= 20 and int(page) < 1
    except ValueError:
        return False


class ListPaginator(Paginator):
    """Pages of LIST_PAGE_SIZE records, whatever size ``?per_page=`` asks for.

    django-tables2 takes the page size from the query string: a negative one failed, and a
    huge one made one request render a whole collection. The downloads hold every row.
    """

    def __init__(self, object_list, per_page, *args, **kwargs):
        super().__init__(object_list, LIST_PAGE_SIZE, *args, **kwargs)


class CollectionListView(ExportMixin, SingleTableMixin, FilterView):
    """A collection as a sortable, filterable, downloadable table."""

    template_name = "reforms/list.html"
    export_class = PortalExport
    export_formats = tuple(PortalExport.FORMATS)
    table_pagination = {"per_page": LIST_PAGE_SIZE, "paginator_class": ListPaginator}

    def get(self, request, *args, **kwargs):
        if _page_below_one(request.GET.get("page", "")):
            # Page numbers start at 1; send ?page=0 and ?page=-1 to the first page.
            query = request.GET.copy()
            del query["page"]
            return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.for_listing()

    def get_export_filename(self, export_format):
        return f"{self.model.collection}.{export_format}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context["filter"]
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            collection=collection_for(self.model),
            facets=filterset.facets(),
            filters_active=bool(filterset.active_filters),
            filter_errors=[
                (filterset.filters[name].label, errors)
                for name, errors in (filterset.errors.items() if filterset.is_bound else ())
            ],
            export_links=[(fmt, _export_query(query, fmt)) for fmt in PortalExport.FORMATS],
            ignored_words=ignored_query_words(self.request.GET.get("q", "")),
            max_query_terms=MAX_QUERY_TERMS,
        )
        return context


def _export_query(query, export_format):
    with_format = query.copy()
    with_format["_export"] = export_format
    return with_format.urlencode()


class MilestoneTimelineView(CollectionListView):
    """The milestones as a timeline grouped by year; the table still sorts and exports."""

    model = Milestone
    table_class = tables.MilestoneTable
    filterset_class = filters.MilestoneFilter
    template_name = "reforms/timeline.html"
    # A timeline reads in time order; other sorts would scatter one year over several places.
    timeline_sorts = ("date", "-date")

    def get(self, request, *args, **kwargs):
        if request.GET.get("sort", "date") not in self.timeline_sorts:
            query = request.GET.copy()
            del query["sort"]
            return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.request.GET.get(self.export_trigger_param):
            return super().get_queryset()
        # The page reads what its events link to itself (timeline.events_by_year).
        return Milestone.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["linker"] = Linker.current(_data_version(self.request))
        records = [row.record for row in context["table"].paginated_rows]
        context["timeline"] = timeline.events_by_year(records, context["linker"])
        return context


def list_view_for(collection):
    if collection.model is Milestone:
        view = MilestoneTimelineView.as_view()
    else:
        view = CollectionListView.as_view(
            model=collection.model,
            table_class=collection.table_class,
            filterset_class=collection.filterset_class,
        )
    table = collection.table_class._meta
    return reads_query(
        *collection.filterset_class.base_filters,
        table.order_by_field,
        table.page_field,
        CollectionListView.export_trigger_param,
    )(view)


class RecordDetailView(DetailView):
    """A record with everything linked to it and the report sections it comes from."""

    slug_field = "slug"

    def get_queryset(self):
        return self.model.objects.for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["collection"] = collection_for(self.model)
        data_version = _data_version(self.request)
        context["linker"] = Linker.current(data_version)
        context["absolute_url"] = self.request.build_absolute_uri(self.object.get_absolute_url())
        context["data_changed_at"] = data_version[1]
        context["today"] = timezone.localdate()
        # A report's own ``statements`` are what it says of other records, not of itself.
        series = ()
        if self.model is Figure:
            context["series"] = series = self.object.series()
            context["series_chart"] = charts.figure_series(series, self.object.unit)
        if hasattr(self.model, "sources"):
            statements = list(self.object.statements.all())
            context["statements"] = statements
            if statements:
                context["json_ld"] = opendata.json_ld(
                    opendata.record_citations(self.object, statements, self.request, series)
                )
        return context

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("format") == "json":
            return JsonResponse(
                opendata.record_data(self.object, self.request),
                json_dumps_params={"ensure_ascii": False, "indent": 2},
            )
        return super().render_to_response(context, **response_kwargs)


# A section of a large report may support thousands of records; the page names the first
# ones of each kind and the collection pages hold the rest.
CITED_PER_KIND = 50


class ReportDetailView(RecordDetailView):
    model = Report

    def get_queryset(self):
        return Report.objects.with_sections(CITED_PER_KIND)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cited_per_kind"] = CITED_PER_KIND
        contribution = self.object.contribution(CITED_PER_KIND)
        if contribution.compared:
            context["contribution"] = contribution
            context["told"] = [(collection_for(told.model), told) for told in contribution.kinds]
        return context


def detail_view_for(collection):
    if collection.model is Report:
        view = ReportDetailView.as_view()
    else:
        view = RecordDetailView.as_view(model=collection.model)
    return reads_query("format")(view)


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; send them to the real file.
    return redirect(static("favicon.svg"))


def home(request):
    context = {
        "collections": [
            (collection, collection.model.objects.count()) for collection in COLLECTIONS
        ],
        "key_figures": charts.figure_marks(Figure.objects.genuine().headline()),
        "zones": Zone.objects.genuine().in_pinyin_order(),
        "recent_milestones": Milestone.objects.genuine().most_recent(),
        "reports": Report.objects.genuine().in_pinyin_order(),
    }
    return render(request, "reforms/home.html", context)


@reads_query("q")
def search_page(request):
    query = request.GET.get("q", "")
    groups = results.search_everything(query, _data_version(request)[0])
    context = {
        "query": query,
        "terms": query_terms(query),
        "ignored_words": ignored_query_words(query),
        "max_query_terms": MAX_QUERY_TERMS,
        "groups": groups,
        "total": sum(group.count for group in groups),
    }
    return render(request, "reforms/search.html", context)


def open_data(request):
    _, changed_at = _data_version(request)
    years = opendata.years_covered()
    metadata = opendata.metadata(request, changed_at, years)
    context = {
        "counts": opendata.counts(),
        "years": years,
        "metadata": metadata,
        "json_ld": opendata.json_ld(metadata),
        "reports": Report.objects.genuine().in_pinyin_order(),
        "changed_at": changed_at,
        "license_name": opendata.LICENSE_NAME,
        "license_url": opendata.LICENSE_URL,
    }
    return render(request, "reforms/data.html", context)


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def data_json(request):
    return _download(
        opendata.fixture_json(),
        "application/json; charset=utf-8",
        f"{opendata.DATASET_SLUG}.json",
    )


def data_csv(request):
    return _download(
        opendata.csv_zip(request, changed_at=_data_version(request)[1]),
        "application/zip",
        f"{opendata.DATASET_SLUG}-csv.zip",
    )


# PostgreSQL's classes of error that mean the server is gone or not taking connections:
# connection exceptions (08…) and a server shutting down or starting up (57P01–57P03).
UNREACHABLE_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")


def database_unreachable(error):
    """Whether ``error`` means the database could not be reached, as opposed to a query
    that failed: only then is a 503 and "try again" the right answer. Any other database
    error (a query SQLite cannot parse, a missing table) is a bug, answered with a 500.
    """
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    # Raised while opening the connection: a missing file, a host that does not answer, a
    # refused login. Every backend opens it through the base class's connect().
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code is BaseDatabaseWrapper.connect.__code__:
            return True
        trace = trace.tb_next
    sqlstate = getattr(error.__cause__, "sqlstate", None) or ""
    if sqlstate.startswith(UNREACHABLE_SQLSTATE_PREFIXES):
        return True
    # An open connection that the server dropped in the middle of a query.
    return any(
        getattr(wrapper.connection, "broken", False)
        for wrapper in connections.all(initialized_only=True)
    )


def server_error(request):
    """The 500 page, or 503 when the database cannot be reached: either way the reader is told
    to try again and nothing about the cause, which goes to the log."""
    unavailable = database_unreachable(sys.exc_info()[1])
    status = 503 if unavailable else 500
    try:
        response = render(request, f"{status}.html", status=status)
    except Exception:
        # The error page must not fail in turn; a line of text will do.
        response = HttpResponse(
            gettext("服务器暂时无法完成这个请求，请稍后再试。"),
            content_type="text/plain; charset=utf-8",
            status=status,
        )
    if unavailable:
        response["Retry-After"] = "60"
    return response
