"""Serve public pages from the cache, keyed by the data version, with ETag and 304s.

A page is cached under the version current when it was made; any change to the records moves
the version on, so the next request to any worker on any host makes a fresh page. Nothing is
ever invalidated by hand, so nothing can be forgotten.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from . import versioning

# Pages are only worth keeping while the data stays the same; a day bounds stale entries.
PAGE_CACHE_SECONDS = 60 * 60 * 24
UNCACHED_PREFIXES = ("/static/",)


def _cacheable_request(request):
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and not request.path.startswith("/" + settings.ADMIN_URL)
        and "_export" not in request.GET
    )


def _cacheable_response(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Content-Disposition")
    )


class DataVersionCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        version, changed_at = versioning.current()
        path_hash = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key = f"page:{version}:{getattr(request, 'LANGUAGE_CODE', '')}:{path_hash}"
        entry = cache.get(key)
        if entry is None:
            response = self.get_response(request)
            if not _cacheable_response(response):
                return response
            content = response.content
            entry = {
                "content": content,
                "content_type": response["Content-Type"],
                "etag": f'"{version}-{hashlib.sha256(content).hexdigest()[:16]}"',
            }
            cache.set(key, entry, PAGE_CACHE_SECONDS)
        last_modified = int(changed_at.timestamp()) if changed_at else None
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
        response["ETag"] = entry["etag"]
        if last_modified:
            response["Last-Modified"] = http_date(last_modified)
        # Caches may keep the page but must ask again before using it: a change shows at once.
        patch_cache_control(response, public=True, no_cache=True)
        return get_conditional_response(
            request, etag=entry["etag"], last_modified=last_modified, response=response
        )
