import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .. import charts, timeline
from ..languages import CONTENT_LANG, as_content, name_cell
from ..tables import RecordLinks, partial_date

register = template.Library()

EXCERPT_CONTEXT = 40


def _pattern(terms):
    terms = [term for term in terms if term]
    if not terms:
        return None
    return re.compile(
        "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.I
    )


@register.filter(name="as_content")
def report_text(text):
    """Text from the report, marked as Chinese on the pages in another language."""
    return as_content(text)


@register.filter
def record_name(record):
    """A record's name as links show it; on English pages marked as Chinese, with the
    record's English name after it when it has one."""
    return name_cell(record, record.name)


@register.filter
def highlight(text, terms):
    """``text`` escaped, with every occurrence of a search term wrapped in <mark>."""
    text = str(text or "")
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))


@register.filter
def excerpt(text, terms):
    """The part of a long text around the first search term, so the match is in view."""
    text = str(text or "")
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    if match is None:
        return text[: EXCERPT_CONTEXT * 2] + ("…" if len(text) > EXCERPT_CONTEXT * 2 else "")
    start = max(match.start() - EXCERPT_CONTEXT, 0)
    end = min(match.end() + EXCERPT_CONTEXT, len(text))
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


@register.filter(name="partial_date")
def partial_date_or_unstated(record):
    """A record's date as pages show it (tables.partial_date), or that the report gives none."""
    return partial_date(record, gettext("报道未写明"))


@register.simple_tag
def result_items(records, terms):
    """The ``<li>`` of each search result: its name linked to its page, the English name on
    pages in another language, and the part of its description around the first term, the
    terms marked. Written here in one pass, as a search page lists dozens of results."""
    links = RecordLinks()
    lang = f' lang="{CONTENT_LANG}"' if links.content_lang else ""
    items = []
    for record in records:
        item = f'<a href="{escape(links.url(record))}"{lang}>{highlight(record.name, terms)}</a>'
        if record.name_en and lang:
            item += f' <span class="name-en">{highlight(record.name_en, terms)}</span>'
        if record.description:
            text = highlight(excerpt(record.description, terms), terms)
            item += f'\n<p class="muted"{lang}>{text}</p>'
        items.append(f"<li>\n{item}\n</li>")
    return mark_safe("\n".join(items))


@register.filter
def lines(text):
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


@register.simple_tag
def linked(linker, text, current_url=None):
    """``text`` with the names of other records made into links to them."""
    return linker.link(text, current_url)


@register.inclusion_tag("includes/timeline_chart.html")
def timeline_chart(rows):
    """The timeline of the records on a page (table rows or records)."""
    chart = charts.timeline(getattr(row, "record", row) for row in rows)
    if chart:
        chart["dots"] = timeline.chart_dots(chart["points"])
    return {"chart": chart}


@register.inclusion_tag("includes/connections.html")
def connections(initiatives, *groups):
    """A grid of initiatives against the records they involve: ``"学校" "schools" …``."""
    pairs = list(zip(groups[::2], groups[1::2], strict=True))
    return {"matrix": charts.connections(initiatives, pairs)}
