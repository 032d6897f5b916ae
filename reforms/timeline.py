"""The timeline page's events and its chart's dots, written in Python.

A page holds fifty events, each of a dozen template nodes and two includes, and a dot per
event in the chart: rendered node by node they took most of the page's time, and through
``format_html`` still a third of it. They are written as plain strings, every text of a
record escaped where it is put in. The markup is the one the templates wrote; tests compare
the page with the records it shows.
"""

from itertools import groupby

from django.utils.html import conditional_escape, escape, format_html
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
    links = {relation: Milestone.objects.links_by_record(relation, ids) for relation in LINKED}
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
    """One ``<li class="timeline__event">``. ``content_lang`` is markup of this module's
    own; everything else is escaped where it is put in, markup made safe already (linked
    names, a marked date) passing as it is."""
    date = conditional_escape(partial_date(record, labels["undated"]))
    parts = [
        f'<p class="timeline__date">{date}</p>',
        f'<p class="timeline__title"><a href="{escape(record_links.url(record))}"{content_lang}>'
        f"{escape(record.name)}</a></p>",
    ]
    if record.description:
        parts.append(
            f'<p class="timeline__text"{content_lang}>'
            f"{conditional_escape(linker.link(record.description))}</p>"
        )
    if record.date_inferred:
        reason = conditional_escape(linker.link(record.date_inference))
        if content_lang:
            reason = f'<span lang="{CONTENT_LANG}">{reason}</span>'
        label = conditional_escape(labels["inferred"])
        parts.append(f'<p class="timeline__inferred"><strong>{label}</strong>{reason}</p>')
    for relation in LINKED:
        linked = links[relation].get(record.pk)
        if linked:
            parts.append(
                f'<p class="muted">{conditional_escape(labels[relation])}'
                f"{conditional_escape(linked_records(linked, record_links))}</p>"
            )
    body = "\n".join(parts)
    return f'<li class="timeline__event">\n{body}\n</li>'


def chart_dots(points):
    """The chart's dots (charts.timeline), each linking to its year and naming its event."""
    dots = []
    for point in points:
        record = point.record
        if record.date_inferred:
            date = gettext("%(date)s（推断）") % {"date": record.date_display}
            dot_class = "chart__dot chart__dot--inferred"
        else:
            date, dot_class = record.date_display, "chart__dot"
        # The year and the position are numbers, written as they are.
        dots.append(
            f'<a href="#year-{point.year}"><circle class="{dot_class}" cx="{point.x}" '
            f'cy="{point.y}" r="6"><title>{escape(date)} {escape(record.name)}</title>'
            "</circle></a>"
        )
    return mark_safe("\n".join(dots))
