"""The public network lists' filters and orderings; an unknown value is a 400."""

from django.db.models import Q
from django_filters import rest_framework as filters

from cities.api.base import PublicFilterSet, SlugFilter, StableOrderingFilter
from cities.api.serializers import PUBLIC_STATUSES
from cities.models import City, CooperationAgreement, OrganisationKind, PartnerOrganisation


class CityFilter(PublicFilterSet):
    ordering = StableOrderingFilter(
        fields=["name_en", "joined_year"], help_text="Order by these fields ('-' for descending)."
    )

    class Meta:
        model = City
        fields: list = []


class OrganisationFilter(PublicFilterSet):
    city = SlugFilter(
        help_text="Only organisations in this city (its slug).",
    )
    kind = filters.ChoiceFilter(choices=OrganisationKind.choices, help_text="Only of this kind.")
    ordering = StableOrderingFilter(
        fields=["name"], help_text="Order by these fields ('-' for descending)."
    )

    class Meta:
        model = PartnerOrganisation
        fields = ["city", "kind"]


class AgreementFilter(PublicFilterSet):
    organisation = SlugFilter(
        method="filter_organisation",
        help_text="Only agreements this organisation signed, on either side (its slug).",
    )
    status = filters.ChoiceFilter(
        choices=[(status.value, status.label) for status in PUBLIC_STATUSES],
        help_text="Only agreements in this status.",
    )

    class Meta:
        model = CooperationAgreement
        fields = ["organisation", "status"]

    def filter_organisation(self, queryset, name, value: str):
        return queryset.filter(
            Q(hub_organisation__slug=value) | Q(partner_organisation__slug=value)
        )
