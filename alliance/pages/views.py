"""The public pages that are the portal's, not an app's: home and the legal pages."""

from django.views.generic import TemplateView

from cities import queries
from cities.map import network_map


class HomeView(TemplateView):
    template_name = "alliance/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cities = list(queries.public_cities())
        context["cities"] = cities
        context["network_map"] = network_map(cities)
        context["figures"] = queries.network_figures(cities)
        return context


class PrivacyView(TemplateView):
    template_name = "alliance/privacy.html"


class ImprintView(TemplateView):
    template_name = "alliance/imprint.html"
