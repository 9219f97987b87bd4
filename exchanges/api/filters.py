"""The public programme list's filters and orderings; an unknown value is a 400."""

from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters

from cities.api.base import PublicFilterSet, SlugFilter, StableOrderingFilter, StrictBooleanFilter
from exchanges.models import ExchangeProgramme, ProgrammeFormat
from exchanges.queries import filter_programmes
from startups.models import Sector


class ProgrammeFilter(PublicFilterSet):
    host_city = SlugFilter(
        help_text="Only programmes hosted in this city (its slug).",
    )
    origin_city = SlugFilter(
        method="filter_origin_city",
        help_text="Only programmes open to start-ups from this city (its slug), including "
        "those open to every city.",
    )
    sector = filters.ChoiceFilter(
        choices=Sector.choices,
        method="filter_sector",
        help_text="Only programmes admitting this sector, including those open to every sector.",
    )
    format = filters.ChoiceFilter(choices=ProgrammeFormat.choices, help_text="Only this format.")
    open_now = StrictBooleanFilter(
        method="filter_open_now",
        help_text="`true`: only programmes whose call for applications is open now; "
        "`false`: only those whose call is not.",
    )
    ordering = StableOrderingFilter(
        fields=["applications_close_at", "starts_on", "title_en"],
        tiebreak="slug",
        help_text="Order by these fields ('-' for descending).",
    )

    class Meta:
        model = ExchangeProgramme
        fields = ["host_city", "origin_city", "sector", "format", "open_now"]

    def filter_origin_city(self, queryset, name, value: str):
        # No eligible origin cities admits every city (exchanges.rules.eligibility_problems).
        eligible = ExchangeProgramme.eligible_origin_cities.through.objects
        return queryset.filter(
            Q(pk__in=eligible.filter(city__slug=value).values("exchangeprogramme_id"))
            | ~Exists(eligible.filter(exchangeprogramme_id=OuterRef("pk")))
        )

    def filter_sector(self, queryset, name, value: str):
        return filter_programmes(queryset, sector=value)

    def filter_open_now(self, queryset, name, value: bool):
        if value:
            return filter_programmes(queryset, open_now=True)
        return queryset.exclude(pk__in=ExchangeProgramme.objects.open_now().values("pk"))
