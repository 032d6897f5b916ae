"""The interface's languages: Chinese, the site's own, and English beside it.

Record content is the report's Chinese in every language; these helpers say so on the
English pages and add a record's official English name where it has one.
"""

from django.conf import settings
from django.utils import translation
from django.utils.html import format_html

# How each language is written in <html lang> and hreflang (BCP 47).
HTML_LANG = {"zh-hans": "zh-Hans", "en": "en"}
CONTENT_LANG = HTML_LANG[settings.LANGUAGE_CODE]


def in_default_language():
    return translation.get_language() == settings.LANGUAGE_CODE


def as_content(text):
    """Text from the report as a page shows it: as it is on the Chinese pages; on the
    others, marked as Chinese."""
    if in_default_language():
        return text
    return format_html('<span lang="{}">{}</span>', CONTENT_LANG, text)


def name_cell(record, name):
    """A record's name as a list shows it: marked as Chinese on the pages in another
    language, and followed there by the official English name if there is one."""
    if in_default_language() or not record.name_en:
        return as_content(name)
    return format_html('{} <span class="name-en">{}</span>', as_content(name), record.name_en)
