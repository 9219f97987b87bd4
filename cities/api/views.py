"""The public network endpoints: cities and organisations by slug, agreements by id."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from alliance.api.languages import LANG_PARAMETER
from alliance.api.schema import PUBLIC_ERRORS, problems
from cities.api import filters
from cities.api.base import PublicViewSet
from cities.api.serializers import (
    PUBLIC_STATUSES,
    AgreementSerializer,
    CitySerializer,
    OrganisationSerializer,
)
from cities.models import City, CooperationAgreement, PartnerOrganisation


def documented(serializer, *, thing: str, things: str, lookup: OpenApiParameter | None = None):
    """The list and detail operations of a public endpoint, with their errors."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"The {things}",
            parameters=[LANG_PARAMETER],
            responses={200: serializer(many=True), **problems(*PUBLIC_ERRORS)},
        ),
        retrieve=extend_schema(
            summary=f"One {thing}",
            parameters=[*([lookup] if lookup else []), LANG_PARAMETER],
            responses={200: serializer, **problems(*PUBLIC_ERRORS)},
        ),
    )


@documented(CitySerializer, thing="member city", things="member cities")
@extend_schema(tags=["network"])
class CityViewSet(PublicViewSet):
    serializer_class = CitySerializer
    filterset_class = filters.CityFilter
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

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


@documented(OrganisationSerializer, thing="partner organisation", things="partner organisations")
@extend_schema(tags=["network"])
class OrganisationViewSet(PublicViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return PartnerOrganisation.objects.select_related("city").order_by("name", "pk")


@documented(
    AgreementSerializer,
    thing="cooperation agreement (public facts only)",
    things="cooperation agreements, signed or terminated (public facts only)",
    lookup=OpenApiParameter(
        "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The agreement's `id`."
    ),
)
@extend_schema(tags=["network"])
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
