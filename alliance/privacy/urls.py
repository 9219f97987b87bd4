"""The founder's pages about their own data (under the UI language's prefix)."""

from django.urls import include, path

urlpatterns = [
    path("", include("alliance.privacy.export_urls")),
    path("", include("alliance.privacy.erasure_urls")),
]
