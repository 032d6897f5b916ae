"""The interface's languages: Chinese, the site's own, and English beside it.

Record content is the report's Chinese in every language; these helpers say so on the
English pages and add a record's official English name where it has one.
"""

from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

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
    return marked_name(name, record.name_en, "" if in_default_language() else CONTENT_LANG)


def marked_name(name, name_en, content_lang):
    """``name_cell`` for a page whose content language is known (empty on the pages in
    the default language): lists write it for every link, without asking again."""
    name = conditional_escape(name)
    if content_lang:
        name = f'<span lang="{content_lang}">{name}</span>'
        if name_en:
            name = f'{name} <span class="name-en">{conditional_escape(name_en)}</span>'
    return SafeString(name)
