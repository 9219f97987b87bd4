import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.views.generic import DetailView, ListView

from exchanges import calls, cards, queries
from exchanges.forms import ProgrammeFilterForm
from exchanges.models import ExchangeProgramme
from startups.models import Sector, Stage


class ProgrammeListView(ListView):
    """Published programmes, open calls first, a page at a time, each card cached."""

    template_name = "exchanges/programme_list.html"
    context_object_name = "programmes"

    def get_paginate_by(self, queryset) -> int:
        return settings.PROGRAMME_PAGE_SIZE

    def get_queryset(self):
        self.now = timezone.now()
        self.form = ProgrammeFilterForm(self.request.GET or None)
        programmes = queries.public_programmes()
        if self.form.is_valid():
            data = self.form.cleaned_data
            programmes = queries.filter_programmes(
                programmes, city=data["city"], sector=data["sector"], open_now=data["open"]
            )
        return calls.by_call(programmes, now=self.now)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, now=self.now, **kwargs)
        context["cards"] = cards.programme_cards(
            context["programmes"], user=self.request.user, now=self.now
        )
        return context


class ProgrammeDetailView(DetailView):
    model = ExchangeProgramme
    template_name = "exchanges/programme_detail.html"
    context_object_name = "programme"

    def get_queryset(self):
        return queries.programme_detail()

    def get_context_data(self, **kwargs):
        programme = self.object
        user = self.request.user
        viewer_zone = getattr(user, "time_zone", "") if user.is_authenticated else ""
        return super().get_context_data(
            apply_options=queries.apply_options(programme, self.request.user),
            now=timezone.now(),
            host_zone=zoneinfo.ZoneInfo(programme.host_city.timezone),
            viewer_zone=zoneinfo.ZoneInfo(viewer_zone) if viewer_zone else None,
            is_open=programme.is_open(),
            stages=[Stage(stage).label for stage in programme.allowed_stages],
            sectors=[Sector(sector).label for sector in programme.sectors],
            **kwargs,
        )
