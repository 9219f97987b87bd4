"""The public pages that are the portal's, not an app's: home and the legal pages."""

from django.conf import settings
from django.views.generic import TemplateView

from alliance.pages import notice
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
    """The privacy notice: recipients from the database, periods and cookies from settings."""

    template_name = "alliance/privacy.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["operator"] = settings.OPERATOR
        context["version"] = settings.PRIVACY_NOTICE_VERSION
        context["recipients"] = notice.recipients()
        context["retention"] = notice.retention()
        context["cookies"] = notice.cookies()
        return context


class ImprintView(TemplateView):
    """The imprint (§ 5 DDG): the operator's details as configured, empty ones left out."""

    template_name = "alliance/imprint.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["operator"] = settings.OPERATOR
        return context
