from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.http import escape_leading_slashes
from django.utils.safestring import mark_safe

from .languages import CONTENT_LANG, HTML_LANG, in_default_language
from .registry import COLLECTIONS

ENGLISH_PREFIX = "/en"


def navigation(request):
    return {"nav_collections": COLLECTIONS}


def _path_in(path, language):
    """The same page's path in ``language``, on this site.

    ``translate_url`` knows every page the URLs resolve; a path they do not (a 404) moves
    its prefix by hand, so the switcher on the error page still leads to the other one.
    Such a path is whatever the reader asked for, and ``/en//other.example/x`` without its
    prefix would name another host: leading slashes are escaped, as Django's redirects do.
    """
    translated = translate_url(path, language)
    if translated == path and language != translation.get_language():
        bare = path[len(ENGLISH_PREFIX) :] if path.startswith(ENGLISH_PREFIX + "/") else path
        translated = bare if language == settings.LANGUAGE_CODE else ENGLISH_PREFIX + bare
    return escape_leading_slashes(translated)


def languages(request):
    """The page's language and the same page in every language, for <html lang>, the
    hreflang links and the switcher. The language comes from the URL, so a page cached for
    one URL is right for everyone who asks for it."""
    current = translation.get_language()
    path = request.get_full_path()
    versions = [
        {
            "code": code,
            "lang": HTML_LANG[code],
            "name": name,
            "url": _path_in(path, code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    for version in versions:
        version["absolute_url"] = request.build_absolute_uri(version["url"])
    return {
        "html_lang": HTML_LANG.get(current, current),
        "language_versions": versions,
        "other_languages": [version for version in versions if not version["current"]],
        # Record content stays Chinese: on the other language's pages, its elements say so.
        "content_lang": mark_safe("" if in_default_language() else f' lang="{CONTENT_LANG}"'),
    }
