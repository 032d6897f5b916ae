"""Who is asking, as far as the lock-out on failed admin logins is concerned."""

from django.conf import settings


def client_ip(request):
    """The address a request came from.

    Behind the portal's own proxy the last X-Forwarded-For entry is the one that proxy added;
    the earlier ones are whatever the client chose to write. Without a proxy the header is
    ignored altogether: trusting it would let anyone dodge the lock-out by inventing addresses.
    """
    if settings.BEHIND_PROXY:
        added_by_proxy = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if added_by_proxy:
            return added_by_proxy
    return request.META.get("REMOTE_ADDR")
