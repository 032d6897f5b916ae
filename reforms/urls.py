from django.urls import path

from . import views
from .collections import COLLECTIONS

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("favicon.ico", views.favicon),
]
for collection in COLLECTIONS:
    urlpatterns += [
        path(
            f"{collection.slug}/",
            views.list_view_for(collection),
            name=f"{collection.slug}-list",
        ),
        path(
            f"{collection.slug}/<slug:slug>/",
            views.detail_view_for(collection),
            name=f"{collection.slug}-detail",
        ),
    ]
