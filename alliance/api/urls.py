"""/api/: version 1 of each app's endpoints, the OpenAPI schema and its docs page.

The docs page is Swagger UI from the project's own static files (drf-spectacular-sidecar),
its init script served as a response of its own (`?script`), so the site's CSP holds.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from alliance.api import schema  # noqa: F401  (registers the schema's extensions)


class DocsView(SpectacularSwaggerSplitView):
    metadata_class = None  # OPTIONS is a 405, as every other method but GET


urlpatterns = [
    path("v1/", include("cities.api")),
    path("v1/", include("exchanges.api.urls")),
    path("v1/partner/", include("exchanges.partners.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        DocsView.as_view(url_name="api-schema", template_name="api/docs.html"),
        name="api-docs",
    ),
]
