"""The public network endpoints: cities and organisations by slug, agreements by id."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema

from cities.api import filters
from cities.api.base import SLUG_PATTERN, PublicViewSet, documented, id_parameter, slug_parameter
from cities.api.serializers import (
    PUBLIC_STATUSES,
    AgreementSerializer,
    CitySerializer,
    OrganisationSerializer,
)
from cities.models import City, CooperationAgreement, PartnerOrganisation


@documented(
    CitySerializer,
    lookup=slug_parameter("city"),
    list_summary="The member cities",
    detail_summary="One member city",
)
@extend_schema(tags=["network"], auth=[])
class CityViewSet(PublicViewSet):
    serializer_class = CitySerializer
    filterset_class = filters.CityFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN

    def get_queryset(self):
        return (
            City.objects.with_figures()
            .prefetch_related(
                Prefetch(
                    "organisations",
                    queryset=PartnerOrganisation.objects.only("pk", "slug", "city_id").order_by(
                        "slug"
                    ),
                )
            )
            .order_by("-is_hub", "slug")
        )


@documented(
    OrganisationSerializer,
    lookup=slug_parameter("organisation"),
    list_summary="The partner organisations",
    detail_summary="One partner organisation",
)
@extend_schema(tags=["network"], auth=[])
class OrganisationViewSet(PublicViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN

    def get_queryset(self):
        return PartnerOrganisation.objects.select_related("city").order_by("name", "pk")


@documented(
    AgreementSerializer,
    lookup=id_parameter("agreement"),
    list_summary="The cooperation agreements, signed or terminated (public facts only)",
    detail_summary="One cooperation agreement (public facts only)",
)
@extend_schema(tags=["network"], auth=[])
class AgreementViewSet(PublicViewSet):
    serializer_class = AgreementSerializer
    filterset_class = filters.AgreementFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return (
            CooperationAgreement.objects.filter(status__in=PUBLIC_STATUSES)
            .select_related("hub_organisation", "partner_organisation", "signed_in")
            .order_by("-signed_year", "partner_organisation__name", "pk")
        )
