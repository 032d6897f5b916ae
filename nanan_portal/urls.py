from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # Outside the language prefix: the admin speaks Chinese, the editors' language.
    path(settings.ADMIN_URL, admin.site.urls),
]
# Chinese at /, English at /en/: a page's language is in its URL, so every cached page and
# every shared link has one language.
urlpatterns += i18n_patterns(path("", include("reforms.urls")), prefix_default_language=False)

handler500 = "reforms.views.server_error"
