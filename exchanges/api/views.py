"""The public programme endpoints: published programmes, by slug."""

from django.db.models import Prefetch
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from alliance.api.languages import LANG_PARAMETER
from alliance.api.schema import PUBLIC_ERRORS, problems
from cities.api.base import PublicViewSet
from cities.models import City, PartnerOrganisation
from exchanges.api.filters import ProgrammeFilter
from exchanges.api.serializers import ProgrammeSerializer
from exchanges.queries import public_programmes


@extend_schema_view(
    list=extend_schema(
        summary="The published exchange programmes",
        parameters=[LANG_PARAMETER],
        responses={200: ProgrammeSerializer(many=True), **problems(*PUBLIC_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One published exchange programme",
        description="`Last-Modified` is the programme's last change; `If-Modified-Since` "
        "and `If-None-Match` answer 304 when nothing changed.",
        parameters=[LANG_PARAMETER],
        responses={200: ProgrammeSerializer, **problems(*PUBLIC_ERRORS)},
    ),
)
@extend_schema(tags=["programmes"])
class ProgrammeViewSet(PublicViewSet):
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return public_programmes().prefetch_related(
            Prefetch(
                "co_organisers",
                queryset=PartnerOrganisation.objects.only("pk", "slug").order_by("slug"),
            ),
            Prefetch(
                "eligible_origin_cities", queryset=City.objects.only("pk", "slug").order_by("slug")
            ),
        )

    def retrieve(self, request, *args, **kwargs):
        programme = self.get_object()
        response = Response(self.get_serializer(programme).data)
        response["Last-Modified"] = http_date(programme.updated_at.timestamp())
        return response
