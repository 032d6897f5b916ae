"""The lock-out on failed admin logins (django-axes): who is asking, and its admin section."""

from axes.apps import AppConfig as AxesAppConfig
from django.conf import settings


class AxesConfig(AxesAppConfig):
    # django-axes names its admin section after its label ("Axes"), and the admin is Chinese.
    # Its models and fields are put in Chinese by locale/zh_Hans, as it ships no Chinese.
    verbose_name = "登录保护"


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
