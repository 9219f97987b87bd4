"""Download my data (issue 14, point 3)."""

from django.urls import path

from alliance.privacy import export_views

urlpatterns = [
    path("data-export/", export_views.data_export, name="data-export"),
    path(
        "data-export/download/<str:token>/",
        export_views.download,
        name="data-export-download",
    ),
]
