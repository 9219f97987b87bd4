"""The public, read-only network API: cities, partner organisations and their agreements.

`include("cities.api")` finds the routes here; the views are in `cities.api.views`.
"""

from cities.api.urls import urlpatterns

__all__ = ["urlpatterns"]
