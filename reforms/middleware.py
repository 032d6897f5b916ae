"""Keep the public site read-only; serve its pages from the cache, keyed by the data version,
with ETag and 304s.

A page is cached under the version current when it was made; any change to the records moves
the version on, so the next request to any worker on any host makes a fresh page. Nothing is
ever invalidated by hand, so nothing can be forgotten. The build (templates and static files)
is part of the key too, so a deploy never serves pages rendered by the code it replaced.
"""

import hashlib
import logging
from functools import cache as once
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import Error as DatabaseProblem
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.encoding import escape_uri_path
from django.utils.http import escape_leading_slashes, http_date

from . import versioning

# Pages are only worth keeping while the data stays the same; a day bounds stale entries.
PAGE_CACHE_SECONDS = 60 * 60 * 24
# Downloads of a whole city's data can run to tens of megabytes: kept, they would crowd out
# thousands of pages (and exceed what memcached or a small Redis accepts for one value).
PAGE_CACHE_MAX_BYTES = 4 * 1024 * 1024
UNCACHED_PREFIXES = ("/static/",)
# Part of every key: entries of another shape, kept by a shared cache from before a deploy,
# are never read as this one.
ENTRY_FORMAT = 4
# What a client sends to make a request conditional (ETag, Last-Modified).
CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)

logger = logging.getLogger(__name__)


@once
def build_id():
    """What the deployed templates and static files are, as a short hash."""
    explicit = getattr(settings, "BUILD_ID", "")
    if explicit:
        return explicit
    digest = hashlib.sha256()
    paths = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
    paths.append(Path(settings.STATIC_ROOT, "staticfiles.json"))
    for path in paths:
        if path.is_file():
            # Names relative to the checkout: hosts with the same build at different paths
            # must agree on it, or they would keep separate pages and ETags.
            digest.update(
                path.name.encode()
                if path.name == "staticfiles.json"
                else str(path.relative_to(settings.BASE_DIR)).encode()
            )
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _is_admin(request):
    return request.path_info.startswith("/" + settings.ADMIN_URL)


def _cacheable_request(request):
    path = request.path_info
    return (
        request.method in ("GET", "HEAD")
        and not path.startswith(UNCACHED_PREFIXES)
        and not _is_admin(request)
    )


def _holds_nul(request):
    raw = request.META.get("QUERY_STRING", "")
    return "%00" in raw or "\x00" in raw


def _cacheable_response(response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and len(response.content) <= PAGE_CACHE_MAX_BYTES
        # Pages that say they are per-user or must not be stored are taken at their word.
        and "private" not in cache_control
        and "no-store" not in cache_control
        # A page that differs with a request header is not one page per address. The
        # language comes from the address alone, whatever LocaleMiddleware's Vary says.
        and not (_vary_names(response) - {"accept-language"})
    )


def _vary_names(response):
    return {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}


def _cache_call(method, *args):
    """A call to the page cache; None if the cache fails.

    The cache only saves work: a cache that is unreachable, or full and refusing writes
    (Redis without an eviction policy), makes pages slower, never an error.
    """
    try:
        return method(*args)
    except Exception as error:
        logger.warning("Page cache %s failed, page served without it: %r", method.__name__, error)
        return None


class ReadOnlyPublicSiteMiddleware:
    """The public site is for reading: anything but GET or HEAD gets 405, before CSRF or any
    view sees it. The admin (and ``manage.py``) are the only ways to change the records."""

    SAFE_METHODS = ("GET", "HEAD")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.SAFE_METHODS and not _is_admin(request):
            return HttpResponseNotAllowed(self.SAFE_METHODS)
        return self.get_response(request)


class NoNulQueryMiddleware:
    """A query string holding a NUL byte is sent to the same address without it.

    No word a reader looks for holds one, PostgreSQL refuses it in text, and a page echoing
    it (in the search box, in a filter's message) is not valid HTML.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not _holds_nul(request):
            return self.get_response(request)
        query = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            query.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
        cleaned = query.urlencode()
        # The path is the reader's own, and "//other.example/" read as an address names
        # another host: its leading slashes are escaped, as Django's own redirects do.
        path = escape_leading_slashes(escape_uri_path(request.path))
        return HttpResponseRedirect(f"{path}?{cleaned}" if cleaned else path)


# The time the data last changed, the same for every page until it changes again.
_http_date = lru_cache(maxsize=8)(http_date)


@lru_cache(maxsize=4096)
def _parameters_read_at(path_info):
    """The query-string parameters the view at this path reads (``views.reads_query``).

    Kept per path: resolving walks the URL patterns, a good part of serving a cached page,
    and a path always resolves to the same view. Bounded, as paths come from anyone."""
    # Read before LocaleMiddleware has chosen the language, which the English prefix of the
    # URL patterns depends on: chosen here the way it chooses it, from the path alone.
    language = translation.get_language_from_path(path_info) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            match = resolve(path_info)
    except Resolver404:
        return frozenset()
    return getattr(match.func, "query_parameters", frozenset())


def read_query(request):
    """The query string of the page a public request is for: only the parameters its view
    reads, in alphabetical order, encoded one way; None when the request's is that already.

    Used to make the page (``ReadQueryOnlyMiddleware``) and, above that, to find it in the
    page cache, which must key it as it will be made."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return None
    read = _parameters_read_at(request.path_info)
    names = list(request.GET)
    if (
        names == sorted(names)
        and all(name in read for name in names)
        and raw == request.GET.urlencode()
    ):
        # Already as the page would have it, encoded the one way: as links on the site
        # write it. Nothing to rebuild.
        return None
    query = QueryDict(mutable=True)
    for name in sorted(request.GET):
        if name in read:
            query.setlist(name, request.GET.getlist(name))
    query._mutable = False
    return query


class ReadQueryOnlyMiddleware:
    """A public page sees only the query parameters its view reads, in alphabetical order.

    Pages are cached by their address, so otherwise every made-up parameter (``?x=1``,
    ``?x=2`` …) or reordering would render and store a page of its own: a cheap way to fill
    the cache and make every request miss it. Dropped here, not just left out of the key,
    so that nothing of them is written into a page (the filter form, the pager and the
    language switcher all carry the query string on) that is then served to others.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _cacheable_request(request):
            query = read_query(request)
            if query is not None:
                request.GET = query
                request.META["QUERY_STRING"] = query.urlencode()
        return self.get_response(request)


class DataVersionCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A query holding a NUL byte is sent elsewhere below (NoNulQueryMiddleware), even in
        # a parameter the page does not read.
        if not _cacheable_request(request) or _holds_nul(request):
            return self.get_response(request)
        try:
            # The host is part of the page: absolute addresses (citations, alternates,
            # downloads) are written with it.
            host = request.get_host()
        except DisallowedHost:
            # Refused below, as any other request for an unknown host is.
            return self.get_response(request)
        try:
            version, changed_at = versioning.current()
        except DatabaseProblem:
            # No page can be found or kept without the version. The stack below answers, its
            # own reads failing alike: 503 for a database out of reach.
            return self.get_response(request)
        # Views that need the version (to link names in text, to date a citation) take it
        # from here rather than reading it again.
        request.data_version = (version, changed_at)
        # The page as it will be made: the language comes from the path, absolute addresses
        # are written with the scheme, and only the parameters its view reads count.
        query = read_query(request)
        query_string = request.META.get("QUERY_STRING", "") if query is None else query.urlencode()
        address = f"{request.scheme}://{host}{escape_uri_path(request.path)}?{query_string}"
        path_hash = hashlib.sha256(address.encode()).hexdigest()[:32]
        key = f"page:{ENTRY_FORMAT}:{build_id()}:{version}:{path_hash}"
        entry = _cache_call(cache.get, key)
        if entry is None:
            response = self.get_response(request)
            if not _cacheable_response(response):
                return response
            content = response.content
            etag = f'"{build_id()}-{version}-{hashlib.sha256(content).hexdigest()[:16]}"'
            response["ETag"] = etag
            # Caches may keep the page but must ask again before using it: a change shows at
            # once.
            patch_cache_control(response, public=True, no_cache=True)
            entry = {
                "content": content,
                # As the middleware below this one left them (type, length, language, a
                # download's file name, X-Frame-Options …) with the above: a cached page is
                # served with them as they are, without passing that middleware again. The
                # security headers and the content security policy, from the middleware above,
                # are added to every response afresh, as settings say now.
                "headers": dict(response.items()),
                "etag": etag,
            }
            _cache_call(cache.set, key, entry, PAGE_CACHE_SECONDS)
        last_modified = int(changed_at.timestamp()) if changed_at else None
        response = HttpResponse(entry["content"], headers=entry["headers"])
        if last_modified:
            response["Last-Modified"] = _http_date(last_modified)
        if not any(header in request.META for header in CONDITIONAL_HEADERS):
            # Most requests ask for the page unconditionally: spared parsing the headers
            # that are not there.
            return response
        return get_conditional_response(
            request, etag=entry["etag"], last_modified=last_modified, response=response
        )
