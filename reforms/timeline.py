"""The timeline page's events and its chart's dots, written in Python.

A page holds fifty events, each of a dozen template nodes and two includes, and a dot per
event in the chart: rendered node by node they took most of the page's time. The markup is
the one the templates wrote; tests compare the page with the records it shows.
"""

from itertools import groupby

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .languages import CONTENT_LANG, in_default_language
from .models import Milestone
from .tables import RecordLinks, linked_records, partial_date

# What an event links to beside its own page.
LINKED = ("zones", "initiatives")


def record_year(record):
    # Undated events group under an empty year, as they always have.
    return record.date.year if record.date else ""


def events_by_year(records, linker):
    """``<li class="timeline__year">`` for each year of ``records``, in their order, each
    with its events."""
    content_lang = "" if in_default_language() else format_html(' lang="{}"', CONTENT_LANG)
    record_links = RecordLinks()
    labels = {
        "undated": gettext("报道未写明"),
        "inferred": gettext("年份为推断："),
        "zones": gettext("实验区："),
        "initiatives": gettext("举措："),
    }
    ids = [record.pk for record in records]
    links = {
        relation: Milestone.objects.filter(pk__in=ids).links_by_record(relation)
        for relation in LINKED
    }
    years = []
    for year, group in groupby(records, key=record_year):
        events = mark_safe(
            "\n".join(
                event(record, record_links, linker, content_lang, labels, links) for record in group
            )
        )
        years.append(
            format_html(
                '<li class="timeline__year">\n<h2 id="year-{}">{}</h2>\n<ol>\n{}\n</ol>\n</li>',
                year,
                gettext("%(year)s年") % {"year": year},
                events,
            )
        )
    return mark_safe("\n".join(years))


def event(record, record_links, linker, content_lang, labels, links):
    parts = [
        format_html('<p class="timeline__date">{}</p>', partial_date(record, labels["undated"])),
        format_html(
            '<p class="timeline__title"><a href="{}"{}>{}</a></p>',
            record_links.url(record),
            content_lang,
            record.name,
        ),
    ]
    if record.description:
        parts.append(
            format_html(
                '<p class="timeline__text"{}>{}</p>', content_lang, linker.link(record.description)
            )
        )
    if record.date_inferred:
        reason = linker.link(record.date_inference)
        if content_lang:
            reason = format_html('<span lang="{}">{}</span>', CONTENT_LANG, reason)
        parts.append(
            format_html(
                '<p class="timeline__inferred"><strong>{}</strong>{}</p>',
                labels["inferred"],
                reason,
            )
        )
    for relation in LINKED:
        linked = links[relation].get(record.pk)
        if linked:
            parts.append(
                format_html(
                    '<p class="muted">{}{}</p>',
                    labels[relation],
                    linked_records(linked, record_links),
                )
            )
    return format_html('<li class="timeline__event">\n{}\n</li>', mark_safe("\n".join(parts)))


def chart_dots(points):
    """The chart's dots (charts.timeline), each linking to its year and naming its event."""
    return format_html_join(
        "\n",
        '<a href="#year-{}"><circle class="chart__dot{}" cx="{}" cy="{}" r="6">'
        "<title>{} {}</title></circle></a>",
        (
            (
                point.year,
                " chart__dot--inferred" if point.record.date_inferred else "",
                point.x,
                point.y,
                gettext("%(date)s（推断）") % {"date": point.record.date_display}
                if point.record.date_inferred
                else point.record.date_display,
                point.record.name,
            )
            for point in points
        ),
    )
