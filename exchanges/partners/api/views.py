"""The partner API: the applications an organisation's key may see, synced without loss.

`GET /api/v1/partner/applications/` is the organisation's feed in change order (see
exchanges/partners/feed.py): applications in their latest form and tombstones of those
that left the view, a page at a time, continued with the opaque `cursor` the previous page
gave. `GET /api/v1/partner/applications/<id>/` is one application. Anything outside the
key's view is a 404. Every application given out is written to the ledger, one statement
per page.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from alliance.api.languages import LANG_PARAMETER, requested_language
from alliance.api.renderers import FastJSONRenderer
from alliance.api.schema import PARTNER_ERRORS, problems
from exchanges.models import State
from exchanges.partners import feed, ledger
from exchanges.partners.api import cursor, pages
from exchanges.partners.api.auth import HasScope, PartnerKeyAuthentication
from exchanges.partners.api.pages import Page
from exchanges.partners.api.serializers import ApplicationSerializer, TombstoneSerializer
from exchanges.partners.api.throttling import PartnerKeyThrottle
from exchanges.partners.models import ApplicationShare, Scope

FEED_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        {"type": "string", "pattern": cursor.PATTERN},
        description="Continue after the page that gave this cursor (from `cursor` or `next`). "
        "It supersedes `updated_since`.",
    ),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="Start with applications changed at or after this time (ISO 8601). "
        "For the first request of a sync; continue with the cursor.",
    ),
    OpenApiParameter(
        "programme",
        OpenApiTypes.STR,
        description="Only applications to this programme (its slug). Tombstones always come.",
    ),
    OpenApiParameter(
        "state",
        OpenApiTypes.STR,
        enum=[state.value for state in State if state != State.DRAFT],
        description="Only applications in this state. Tombstones always come. Not for "
        "keeping a copy in sync: an application that leaves the state is not sent again.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": settings.PARTNER_PAGE_SIZE},
        description=f"Rows per page, 1 to {settings.PARTNER_PAGE_SIZE} (the default).",
    ),
    LANG_PARAMETER,
]

FeedPage = inline_serializer(
    "FeedPage",
    {
        "results": PolymorphicProxySerializer(
            component_name="FeedItem",
            serializers=[ApplicationSerializer, TombstoneSerializer],
            resource_type_field_name=None,
            many=True,
        ),
        "cursor": serializers.CharField(
            allow_null=True,
            help_text="Keep it: the next sync continues from here (null: nothing yet).",
        ),
        "next": serializers.URLField(
            allow_null=True, help_text="The next page, while there are more rows now."
        ),
    },
)


def _page_size(request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return settings.PARTNER_PAGE_SIZE
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= settings.PARTNER_PAGE_SIZE:
        raise ValidationError(
            {"page_size": [f"A whole number from 1 to {settings.PARTNER_PAGE_SIZE}."]}
        )
    return int(raw)


def _updated_since(request) -> datetime.datetime | None:
    raw = request.query_params.get("updated_since")
    if raw is None:
        return None
    try:
        # Without an offset, the time is UTC.
        return serializers.DateTimeField(default_timezone=datetime.UTC).to_internal_value(raw)
    except ValidationError as error:
        raise ValidationError(
            {"updated_since": ["An ISO 8601 date and time, e.g. 2026-03-01T00:00:00Z."]}
        ) from error


class PartnerView(GenericAPIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [PartnerKeyThrottle]
    renderer_classes = [FastJSONRenderer]
    required_scope = Scope.READ
    serializer_class = ApplicationSerializer
    filter_backends: list = []
    pagination_class = None

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "key": self.request.auth}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        # Personal data: a client may keep it, a shared cache never.
        patch_cache_control(response, private=True, no_cache=True)
        return response

    def shares(self):
        """The feed rows of the key's organisation."""
        return ApplicationShare.objects.filter(organisation_id=self.request.auth.organisation_id)

    def page(self) -> Page:
        return Page(
            organisation_id=self.request.auth.organisation_id,
            absolute=self.request.build_absolute_uri,
            language=requested_language(self.request),
        )


@extend_schema(tags=["partner"])
class ApplicationList(PartnerView):
    @extend_schema(
        operation_id="partner_applications_list",
        summary="The organisation's applications, in change order (incremental sync)",
        parameters=FEED_PARAMETERS,
        responses={200: FeedPage, **problems(*PARTNER_ERRORS)},
    )
    def get(self, request):
        size = _page_size(request)
        rows = self.shares().filter(feed.visible())
        since = _updated_since(request)  # checked even where the cursor supersedes it
        after = request.query_params.get("cursor")
        if after is not None:
            position, ref = cursor.decode(after)
            rows = rows.filter(
                Q(position__gte=position)
                & (Q(position__gt=position) | Q(position=position, application_ref__gt=ref))
            )
        elif since is not None:
            rows = rows.filter(changed_at__gte=since)
        rows = self._filtered(rows, request)
        builder = self.page()  # checks `lang` before any row is read
        page = pages.rows(rows.order_by("position", "application_ref")[: size + 1])
        more = len(page) > size
        page = page[:size]
        results = builder.build(page)
        live = [row["application_id"] for row in page if row["removed_at"] is None]
        ledger.record(request.auth, live, profile=True, answers=True)
        if page:
            token = cursor.encode(page[-1]["position"], page[-1]["application_ref"])
        elif after is None:
            # Nothing yet: a cursor just below the horizon, so the next sync continues from
            # here by position (never again by a time that a late commit could fall behind).
            token = cursor.encode(feed.horizon() - 1, cursor.LAST_REF)
        else:
            token = after
        next_url = None
        if more:
            query = request.query_params.copy()
            query.pop("updated_since", None)
            query["cursor"] = token
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"results": results, "cursor": token, "next": next_url})

    def _filtered(self, rows, request):
        programme = request.query_params.get("programme")
        state = request.query_params.get("state")
        if state is not None and (state not in State.values or state == State.DRAFT):
            raise ValidationError({"state": ["Not a state a partner sees."]})
        live = Q()
        if programme is not None:
            live &= Q(application__programme__slug=programme)
        if state is not None:
            live &= Q(application__state=state)
        if not live:
            return rows
        return rows.filter(Q(removed_at__isnull=False) | (Q(removed_at__isnull=True) & live))


@extend_schema(tags=["partner"])
class ApplicationDetail(PartnerView):
    @extend_schema(
        operation_id="partner_applications_retrieve",
        summary="One application the organisation may see",
        parameters=[
            OpenApiParameter(
                "application_id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="The application's `id`.",
            ),
            LANG_PARAMETER,
        ],
        responses={200: ApplicationSerializer, **problems(*PARTNER_ERRORS)},
    )
    def get(self, request, application_id: int):
        builder = self.page()
        found = pages.rows(self.shares().live().filter(application_ref=application_id)[:1])
        if not found:
            raise Http404
        ledger.record(request.auth, [found[0]["application_id"]], profile=True, answers=True)
        application = builder.build(found)[0]
        response = Response(application)
        if application["pitch_deck"] is None:
            # With a pitch deck the body holds a link that expires: only its ETag tells.
            response["Last-Modified"] = http_date(found[0]["changed_at"].timestamp())
        return response
