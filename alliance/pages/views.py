"""The public pages that are the portal's, not an app's: home and the legal pages."""

from functools import partial

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.generic import TemplateView

from alliance.fragments import cached_html, row_state
from alliance.pages import notice
from cities import map as map_module
from cities import queries
from cities.map import network_map
from exchanges import calls, cards
from exchanges import queries as programme_queries

MAIN_TEMPLATE = "alliance/_home_main.html"
MAP_TEMPLATE = "cities/_network_map.html"
CODE_FILES = (map_module.__file__, str(map_module.LAND_FILE))  # what draws the map
HOME_OPEN_CALLS = 6  # the soonest deadlines; the programme list has the rest


class HomeView(TemplateView):
    """The open calls first, then the network: its figures and map.

    The page's content is cached under a digest of everything it shows
    (`calls.public_version`); the map and each card are cached on their own as well.
    """

    template_name = "alliance/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        user = self.request.user
        context["main"] = cached_html(
            MAIN_TEMPLATE,
            (calls.public_version(now=now),),
            partial(_render_main, user=user, now=now),
            user=user,
            files=CODE_FILES,
        )
        return context


def _render_main(*, user, now) -> str:
    cities = list(queries.public_cities())
    network_map_html = cached_html(
        MAP_TEMPLATE,
        [row_state(city) for city in cities],
        partial(_render_map, cities),
        user=user,
        files=CODE_FILES,
    )
    open_calls = calls.open_calls(programme_queries.public_programmes(), now=now)
    context = {
        "cities": cities,
        "figures": queries.network_figures(cities),
        "network_map_html": network_map_html,
        "open_calls": cards.programme_cards(
            list(open_calls[:HOME_OPEN_CALLS]), user=user, now=now, heading=3
        ),
    }
    return render_to_string(MAIN_TEMPLATE, context)


def _render_map(cities: list) -> str:
    return render_to_string(MAP_TEMPLATE, {"network_map": network_map(cities)})


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
