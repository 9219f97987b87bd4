"""The public programme endpoints: published programmes, by slug."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from cities.api.base import SLUG_PATTERN, PublicViewSet, documented, slug_parameter
from cities.models import City, PartnerOrganisation
from exchanges.api.filters import ProgrammeFilter
from exchanges.api.serializers import ProgrammeSerializer
from exchanges.queries import public_programmes


@documented(
    ProgrammeSerializer,
    lookup=slug_parameter("programme"),
    list_summary="The published exchange programmes",
    detail_summary="One published exchange programme",
    description="`Last-Modified` is the programme's last change; `If-Modified-Since` and "
    "`If-None-Match` answer 304 when nothing changed.",
)
@extend_schema(tags=["programmes"], auth=[])
class ProgrammeViewSet(PublicViewSet):
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN

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
        # `is_open` changes when the call opens and closes: those count as changes too.
        now = timezone.now()
        moments = (programme.applications_open_at, programme.applications_close_at)
        changed = max([programme.updated_at, *(moment for moment in moments if moment <= now)])
        response["Last-Modified"] = http_date(changed.timestamp())
        return response
