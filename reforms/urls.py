from django.urls import path

from . import views
from .registry import COLLECTIONS

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("favicon.ico", views.favicon),
    path("data/", views.open_data, name="data"),
    path("data/nanan-education-reform.json", views.data_json, name="data-json"),
    path("data/nanan-education-reform-csv.zip", views.data_csv, name="data-csv"),
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
