import zoneinfo
from functools import partial

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from alliance.fragments import cached_html
from exchanges import calls, cards, queries
from exchanges.forms import ProgrammeFilterForm
from exchanges.models import ExchangeProgramme

MAIN_TEMPLATE = "exchanges/_programme_list_main.html"


class ProgrammeListView(TemplateView):
    """Published programmes, open calls first, a page at a time.

    The page's content is cached under a digest of everything it shows and the request's
    filters (`calls.public_version`); each card is cached on its own as well.
    """

    template_name = "exchanges/programme_list.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        request = self.request
        parts = (calls.public_version(now=now), request.get_full_path())
        main = cached_html(
            MAIN_TEMPLATE, parts, partial(self.render_main, now=now), user=request.user
        )
        return super().get_context_data(main=main, **kwargs)

    def render_main(self, *, now) -> str:
        form = ProgrammeFilterForm(self.request.GET or None)
        programmes = queries.public_programmes()
        if form.is_valid():
            data = form.cleaned_data
            programmes = queries.filter_programmes(
                programmes, city=data["city"], sector=data["sector"], open_now=data["open"]
            )
        paginator = Paginator(calls.by_call(programmes, now=now), settings.PROGRAMME_PAGE_SIZE)
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage as error:
            raise Http404(str(error)) from error
        context = {
            "form": form,
            "paginator": paginator,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "previous_query": _page_query(self.request, page.previous_page_number())
            if page.has_previous()
            else "",
            "next_query": _page_query(self.request, page.next_page_number())
            if page.has_next()
            else "",
            "cards": cards.programme_cards(list(page), user=self.request.user, now=now),
        }
        return render_to_string(MAIN_TEMPLATE, context)


def _page_query(request, number: int) -> str:
    """The query string of page `number` with the request's filters."""
    query = request.GET.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()


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
            stages=[stage.label for stage in programme.stages_in_order()],
            sectors=[sector.label for sector in programme.sectors_in_order()],
            **kwargs,
        )
