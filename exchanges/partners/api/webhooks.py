"""The organisation's webhook endpoints at the partner API (scope `webhooks`).

`/api/v1/partner/webhooks/` lists and registers them (at most WEBHOOK_MAX_ENDPOINTS per
organisation); `…/<id>/` reads, changes and deletes one; `…/<id>/rotate-secret/`,
`…/<id>/test/` and `…/<id>/redeliver/` are the verbs; `…/<id>/deliveries/` is the
delivery log (one row per attempt) and `…/<id>/events/` the events sent to it with their
state. The signing secret is shown once, when it is made (registration, rotation). Another
organisation's endpoint is a 404 like one that does not exist. Every write goes through
exchanges/partners/webhooks/services.py, its audit entries naming the key.
"""

import datetime
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from alliance.api.formats import iso
from alliance.api.schema import PARTNER_ERRORS, problems
from exchanges.partners.api import cursor
from exchanges.partners.api.recommendations import BodyRequired, Conflict, Flag, Text, invalid
from exchanges.partners.api.views import PartnerView
from exchanges.partners.models import Scope
from exchanges.partners.recommendations import as_key
from exchanges.partners.webhooks import services
from exchanges.partners.webhooks.models import (
    TEST_EVENT,
    DeliveryStatus,
    DisabledReason,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from exchanges.partners.webhooks.targets import check_url

LOG_PAGE_SIZE = 50
LOG_PAGE_LIMIT = 100
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)
# A cursor's time past this is this time: a position after every row (valid, if pointless).
_LATEST_MICROS = (datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC) - _EPOCH) // _MICROSECOND


# Serializers: what the API takes and gives.


class EndpointSerializer(serializers.ModelSerializer):
    """A webhook endpoint, without its secret."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    disabled_reason = serializers.ChoiceField(
        choices=DisabledReason.choices,
        allow_null=True,
        help_text="Why it is disabled (null while enabled): `failing` after days of failed "
        "attempts, `partner` by a key, `staff` by the Start Alliance.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "enabled",
            "disabled_reason",
            "disabled_at",
            "failing_since",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, endpoint):
        shown = super().to_representation(endpoint)
        shown["disabled_reason"] = shown["disabled_reason"] or None
        return shown


class NewEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_…`). Keep it: it is shown only now."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


# What a URL given at the API looks like: https, a host name (no address), an optional port,
# path and query. Every URL of this form passes targets.check_url, and the API takes no other,
# so the schema says exactly what is accepted (a bare address, `localhost` or http is for
# staff in the admin, where the settings allow them).
URL_PATTERN = (
    r"^https://"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,24}"
    r"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]"
    r"|6553[0-5]))?"
    r"(?:/[A-Za-z0-9._~%!$&'()*+,;=:@-]*)*"
    r"(?:\?[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*)?$"
)
_URL_LENGTH = WebhookEndpoint._meta.get_field("url").max_length
_DESCRIPTION_LENGTH = WebhookEndpoint._meta.get_field("description").max_length


def _url_field(**kwargs) -> Text:
    return Text(
        pattern=URL_PATTERN,
        max_length=_URL_LENGTH,
        trim_whitespace=False,
        error_messages={
            "pattern": "An https:// URL of a host name (an optional port, path, query)."
        },
        help_text="Where the events are posted: an `https://` URL of a public host name.",
        **kwargs,
    )


def _events_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        allow_empty=False,
        min_length=1,
        max_length=len(EventType) * 4,
        help_text="The events it is told of (one or more).",
        **kwargs,
    )


def _description_field(**kwargs) -> Text:
    return Text(
        max_length=_DESCRIPTION_LENGTH,
        allow_blank=True,
        required=False,
        help_text="For the organisation's own people.",
        **kwargs,
    )


class EndpointInput(serializers.Serializer):
    url = _url_field()
    events = _events_field()
    description = _description_field(default="")

    def validate_url(self, url: str) -> str:
        try:
            check_url(url)
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from error
        return url


class EndpointChange(EndpointInput):
    url = _url_field(required=False)
    events = _events_field(required=False)
    description = _description_field()
    enabled = Flag(
        required=False,
        help_text="false stops the deliveries (they wait); true sends what waited, in order.",
    )


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(
        help_text="The new signing secret (`whsec_…`). Keep it: it is shown only now."
    )
    previous_secret_until = serializers.DateTimeField(
        help_text="Until then the old secret signs too (a second signature in the header)."
    )


class TestEventSerializer(serializers.Serializer):
    event_id = serializers.CharField(help_text="The test event's `webhook-id`.")
    type = serializers.ChoiceField(choices=[TEST_EVENT])


EVENT_ID_PATTERN = r"^msg_[A-Za-z0-9_-]{1,36}$"


class RedeliverEvent(serializers.Serializer):
    event_id = Text(
        pattern=EVENT_ID_PATTERN,
        max_length=40,
        trim_whitespace=False,
        help_text="The event to send again (its `webhook-id`, `msg_…`).",
    )


class RedeliverSince(serializers.Serializer):
    since = serializers.DateTimeField(
        default_timezone=datetime.UTC,
        help_text="Send again every event that failed and happened at or after this time.",
    )


RedeliverInput = PolymorphicProxySerializer(
    component_name="Redelivery",
    serializers=[RedeliverEvent, RedeliverSince],
    resource_type_field_name=None,
)


def _redelivery(data) -> dict:
    """The one redelivery asked for: `{"event_id": …}` or `{"since": …}`, not both."""
    if not isinstance(data, dict) or ("event_id" in data) == ("since" in data):
        raise ValidationError("Give either `event_id` or `since`, not both.")
    given = (RedeliverEvent if "event_id" in data else RedeliverSince)(data=data)
    given.is_valid(raise_exception=True)
    return given.validated_data


class RedeliveredSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many events go out again.")


class AttemptSerializer(serializers.Serializer):
    """One attempt to deliver an event: the delivery log's row."""

    at = serializers.DateTimeField(help_text="When the attempt started.")
    event_id = serializers.CharField()
    event_type = serializers.CharField()
    attempt = serializers.IntegerField(help_text="1 for the first try of the event, and so on.")
    status_code = serializers.IntegerField(allow_null=True, help_text="null: no HTTP answer.")
    duration_ms = serializers.IntegerField()
    response = serializers.CharField(help_text="The first characters of the answer's body.")
    error = serializers.CharField(help_text="Why it failed (empty for a 2xx).")
    delivery_status = serializers.ChoiceField(
        choices=DeliveryStatus.choices, help_text="Where the event's delivery stands now."
    )


class EventDeliverySerializer(serializers.Serializer):
    """One event sent (or to be sent) to the endpoint, and where its delivery stands."""

    event_id = serializers.CharField()
    type = serializers.CharField()
    created_at = serializers.DateTimeField(help_text="When the event happened.")
    delivery_status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When it is tried next (null unless pending)."
    )


def _log_page(name: str, row: type[serializers.Serializer]):
    return inline_serializer(
        name,
        {
            "results": row(many=True),
            "next": serializers.URLField(
                allow_null=True, help_text="The next (older) page; null on the last."
            ),
        },
    )


# Paging the logs: newest first, by (time, id), with a cursor of the same pattern as the
# feed's (every string of the pattern is a position).

LOG_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        {"type": "string", "pattern": cursor.PATTERN},
        description="Continue after the page that gave this cursor (in `next`).",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": LOG_PAGE_LIMIT},
        description=f"Rows per page, 1 to {LOG_PAGE_LIMIT} (default {LOG_PAGE_SIZE}).",
    ),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=DeliveryStatus.values,
        description="Only events (or their attempts) whose delivery is in this state now "
        "(`delivery_status`).",
    ),
]


def _micros(at: datetime.datetime) -> int:
    return max(0, (at - _EPOCH) // _MICROSECOND)


def _moment(micros: int) -> datetime.datetime:
    return _EPOCH + min(micros, _LATEST_MICROS) * _MICROSECOND


def _after(request) -> tuple[datetime.datetime, int] | None:
    raw = request.query_params.get("cursor")
    if raw is None:
        return None
    if not re.fullmatch(cursor.PATTERN, raw):
        raise ValidationError(
            {"cursor": ["Not a cursor this API gave: start from the first page."]}
        )
    micros, pk = int(raw[:16], 16), int(raw[16:], 16)
    return _moment(micros), pk


def _log_size(request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return LOG_PAGE_SIZE
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= LOG_PAGE_LIMIT:
        raise ValidationError({"page_size": [f"A whole number from 1 to {LOG_PAGE_LIMIT}."]})
    return int(raw)


def _status(request) -> str | None:
    raw = request.query_params.get("status")
    if raw is not None and raw not in DeliveryStatus.values:
        raise ValidationError({"status": [f"One of: {', '.join(DeliveryStatus.values)}."]})
    return raw


def _event_id(request) -> str | None:
    raw = request.query_params.get("event_id")
    if raw is not None and not re.fullmatch(EVENT_ID_PATTERN, raw):
        raise ValidationError({"event_id": ["An event's `webhook-id` (`msg_…`)."]})
    return raw


def _paged(request, rows, *, time_field: str) -> tuple[list[dict], str | None]:
    """A page of `rows` (values() dicts with `pk` and `time_field`), newest first."""
    size = _log_size(request)
    after = _after(request)
    if after is not None:
        at, pk = after
        rows = rows.filter(Q(**{f"{time_field}__lt": at}) | Q(**{time_field: at, "pk__lt": pk}))
    page = list(rows.order_by(f"-{time_field}", "-pk")[: size + 1])
    more = len(page) > size
    page = page[:size]
    next_url = None
    if more:
        last = page[-1]
        query = request.query_params.copy()
        query["cursor"] = cursor.encode(_micros(last[time_field]), last["pk"])
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return page, next_url


# Views.


ENDPOINT_ID = OpenApiParameter(
    "endpoint_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The endpoint's `id`."
)
WRITE_ERRORS = (*PARTNER_ERRORS, 415)


class WebhookView(PartnerView):
    required_scope = Scope.WEBHOOKS
    serializer_class = EndpointSerializer
    metadata_class = None  # OPTIONS is a 405, as on the other partner endpoints

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(organisation_id=self.request.auth.organisation_id)

    def endpoint(self, endpoint_id: int) -> WebhookEndpoint:
        found = self.get_queryset().filter(pk=endpoint_id).first()
        if found is None:
            raise Http404
        return found

    def given(self, serializer_class, **kwargs) -> dict:
        given = serializer_class(data=self.request.data, **kwargs)
        given.is_valid(raise_exception=True)
        return given.validated_data


def _shown(endpoint: WebhookEndpoint) -> dict:
    return EndpointSerializer(endpoint).data


@extend_schema(tags=["partner"])
class EndpointList(WebhookView):
    @extend_schema(
        operation_id="partner_webhooks_list",
        summary="The organisation's webhook endpoints",
        responses={
            200: inline_serializer(
                "WebhookEndpointList", {"results": EndpointSerializer(many=True)}
            ),
            **problems(*PARTNER_ERRORS),
        },
    )
    def get(self, request):
        found = self.get_queryset().order_by("pk")
        return Response({"results": EndpointSerializer(found, many=True).data})

    @extend_schema(
        operation_id="partner_webhooks_create",
        summary="Register a webhook endpoint (its signing secret is shown only now)",
        description="An organisation has at most 10 endpoints by default (409 beyond).",
        request=EndpointInput,
        responses={201: NewEndpointSerializer, **problems(*WRITE_ERRORS, 409)},
    )
    def post(self, request):
        fields = self.given(EndpointInput)
        organisation = request.auth.organisation
        try:
            endpoint = as_key(request.auth, lambda: services.register(organisation, **fields))
        except DjangoValidationError as error:
            raise invalid(error) from error
        except services.TooManyEndpointsError as error:
            # A conflict with what the organisation has (the same request passes after a
            # delete), not a fault of the request.
            raise Conflict(detail=str(error), code="too_many_endpoints") from error
        return Response(NewEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["partner"], parameters=[ENDPOINT_ID])
class EndpointDetail(WebhookView):
    @extend_schema(
        operation_id="partner_webhooks_retrieve",
        summary="One webhook endpoint",
        responses={200: EndpointSerializer, **problems(*PARTNER_ERRORS)},
    )
    def get(self, request, endpoint_id: int):
        return Response(_shown(self.endpoint(endpoint_id)))

    @extend_schema(
        operation_id="partner_webhooks_partial_update",
        summary="Change a webhook endpoint (its URL, events, description, or enable it)",
        description="An endpoint disabled by the Start Alliance's staff cannot be enabled "
        "with a key (409).",
        request=EndpointChange,
        responses={200: EndpointSerializer, **problems(*WRITE_ERRORS, 409)},
    )
    def patch(self, request, endpoint_id: int):
        endpoint = self.endpoint(endpoint_id)
        changes = self.given(EndpointChange)
        if not changes:
            return Response(_shown(endpoint))
        try:
            endpoint = as_key(request.auth, lambda: services.change(endpoint, **changes))
        except DjangoValidationError as error:
            raise invalid(error) from error
        except services.DisabledByStaffError as error:
            raise Conflict(detail=str(error), code="disabled_by_staff") from error
        return Response(_shown(endpoint))

    @extend_schema(
        operation_id="partner_webhooks_destroy",
        summary="Delete a webhook endpoint, with its delivery log",
        responses={204: None, **problems(*PARTNER_ERRORS)},
    )
    def delete(self, request, endpoint_id: int):
        endpoint = self.endpoint(endpoint_id)
        as_key(request.auth, lambda: services.delete(endpoint))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["partner"], parameters=[ENDPOINT_ID], request=None)
class RotateSecret(WebhookView):
    @extend_schema(
        operation_id="partner_webhooks_rotate_secret",
        summary="Make a new signing secret; the old one signs too for a while",
        responses={200: SecretSerializer, **problems(*PARTNER_ERRORS)},
    )
    def post(self, request, endpoint_id: int):
        endpoint = self.endpoint(endpoint_id)
        endpoint = as_key(request.auth, lambda: services.rotate_secret(endpoint))
        return Response(
            {
                "secret": endpoint.secret,
                "previous_secret_until": iso(endpoint.previous_secret_until),
            }
        )


@extend_schema(tags=["partner"], parameters=[ENDPOINT_ID], request=None)
class SendTest(WebhookView):
    @extend_schema(
        operation_id="partner_webhooks_test",
        summary="Send a `webhook.test` event to the endpoint",
        description="Queued like any event (and logged), whatever events the endpoint chose; "
        "a disabled endpoint gets it once enabled.",
        responses={202: TestEventSerializer, **problems(*PARTNER_ERRORS)},
    )
    def post(self, request, endpoint_id: int):
        event = services.send_test(self.endpoint(endpoint_id))
        return Response(
            {"event_id": event.public_id, "type": event.type}, status=status.HTTP_202_ACCEPTED
        )


@extend_schema(tags=["partner"], parameters=[ENDPOINT_ID])
class Redeliver(WebhookView):
    schema = BodyRequired()

    @extend_schema(
        operation_id="partner_webhooks_redeliver",
        summary="Send events to the endpoint again (one, or every one that failed since)",
        description="With `event_id`: that event (a 404 if the endpoint never had it; "
        "`count` is 0 while it is still queued). With `since`: every event that failed and "
        "happened at or after then. Each goes again with its own `webhook-id`, in order.",
        request=RedeliverInput,
        responses={202: RedeliveredSerializer, **problems(*WRITE_ERRORS)},
    )
    def post(self, request, endpoint_id: int):
        endpoint = self.endpoint(endpoint_id)
        given = _redelivery(request.data)
        if "event_id" in given:
            event_id = given["event_id"]
            if not endpoint.deliveries.filter(event__public_id=event_id).exists():
                raise Http404
            count = services.redeliver_event(endpoint, event_id)
        else:
            count = services.redeliver_failed(endpoint, given["since"])
        return Response({"count": count}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["partner"], parameters=[ENDPOINT_ID, *LOG_PARAMETERS])
class DeliveryLog(WebhookView):
    @extend_schema(
        operation_id="partner_webhooks_deliveries",
        summary="The endpoint's delivery log: every attempt, newest first",
        parameters=[
            OpenApiParameter(
                "event_id",
                {"type": "string", "pattern": EVENT_ID_PATTERN},
                description="Only the attempts of this event (its `webhook-id`).",
            )
        ],
        responses={
            200: _log_page("WebhookAttemptPage", AttemptSerializer),
            **problems(*PARTNER_ERRORS),
        },
    )
    def get(self, request, endpoint_id: int):
        endpoint = self.endpoint(endpoint_id)
        rows = WebhookAttempt.objects.filter(endpoint=endpoint)
        if (wanted := _status(request)) is not None:
            rows = rows.filter(delivery__status=wanted)
        if (event_id := _event_id(request)) is not None:
            rows = rows.filter(delivery__event__public_id=event_id)
        rows = rows.values(
            "pk",
            "at",
            "number",
            "status_code",
            "duration_ms",
            "response",
            "error",
            event_id=F("delivery__event__public_id"),
            event_type=F("delivery__event__type"),
            delivery_status=F("delivery__status"),
        )
        page, next_url = _paged(request, rows, time_field="at")
        results = [
            {
                "at": iso(row["at"]),
                "event_id": row["event_id"],
                "event_type": row["event_type"],
                "attempt": row["number"],
                "status_code": row["status_code"],
                "duration_ms": row["duration_ms"],
                "response": row["response"],
                "error": row["error"],
                "delivery_status": row["delivery_status"],
            }
            for row in page
        ]
        return Response({"results": results, "next": next_url})


@extend_schema(tags=["partner"], parameters=[ENDPOINT_ID, *LOG_PARAMETERS])
class EventLog(WebhookView):
    @extend_schema(
        operation_id="partner_webhooks_events",
        summary="The events for the endpoint, newest first, with where each delivery stands",
        responses={
            200: _log_page("WebhookEventPage", EventDeliverySerializer),
            **problems(*PARTNER_ERRORS),
        },
    )
    def get(self, request, endpoint_id: int):
        endpoint = self.endpoint(endpoint_id)
        rows = WebhookDelivery.objects.filter(endpoint=endpoint)
        if (wanted := _status(request)) is not None:
            rows = rows.filter(status=wanted)
        rows = rows.values(
            "pk",
            "created_at",
            "status",
            "attempts",
            "last_status",
            "last_error",
            "delivered_at",
            "next_attempt_at",
            public_id=F("event__public_id"),
            event_type=F("event__type"),
        )
        page, next_url = _paged(request, rows, time_field="created_at")
        results = [
            {
                "event_id": row["public_id"],
                "type": row["event_type"],
                "created_at": iso(row["created_at"]),
                "delivery_status": row["status"],
                "attempts": row["attempts"],
                "last_status_code": row["last_status"],
                "last_error": row["last_error"],
                "delivered_at": iso(row["delivered_at"]),
                "next_attempt_at": (
                    iso(row["next_attempt_at"]) if row["status"] == DeliveryStatus.PENDING else None
                ),
            }
            for row in page
        ]
        return Response({"results": results, "next": next_url})
