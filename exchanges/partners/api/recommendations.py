"""The organisation's recommendation on an application it sees (scope `recommend`); and
what the partner API's writes share (strict fields, a refusal as a 409).

`PUT /api/v1/partner/applications/<id>/recommendation/` gives or changes it (201 when new,
200 otherwise, also when nothing changed); `GET` reads it (404 when there is none). An
application outside the key's view is a 404 either way; once the programme's decisions
are announced a change is a 409.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from alliance.api.schema import PARTNER_ERRORS, problems
from alliance.errors import DomainError
from exchanges.models import Recommendation, Verdict
from exchanges.partners import recommendations
from exchanges.partners.api.views import PartnerView
from exchanges.partners.models import Scope
from exchanges.partners.webhooks.events import recommendation_data


class Conflict(APIException):
    """A refused operation (a DomainError) as a 409 problem, its code the problem's type."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    @classmethod
    def of(cls, error: DomainError) -> "Conflict":
        return cls(detail=str(error), code=error.code)


def invalid(error: DjangoValidationError) -> ValidationError:
    """A model's or a service's ValidationError as DRF's (a 400 problem with field errors)."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError(error.messages)


def exact(pattern: str) -> str:
    """A schema's `^…$` for Python, as the schema means it: `$` lets no final newline
    through (drf-spectacular shows `\\A` and `\\Z` as `^` and `$`)."""
    return rf"\A{pattern.removeprefix('^').removesuffix('$')}\Z"


class Text(serializers.CharField):
    """A string, and only a string (DRF would take the number 7 as "7"), without NUL
    (PostgreSQL's text holds none), matching `pattern` (`^…$`) if one is given. The schema
    says exactly that (TextScheme), so what it calls valid is taken and nothing else."""

    default_error_messages = {
        "not_text": "Not a string.",
        "pattern": "This value does not match the required pattern.",
    }

    def __init__(self, *, pattern: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pattern = pattern
        if pattern is not None:
            self.validators.append(
                RegexValidator(exact(pattern), message=self.error_messages["pattern"])
            )

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class TextScheme(OpenApiSerializerFieldExtension):
    """A `Text` in the schema. No NUL is `not: {pattern: "\\u0000"}` rather than a
    pattern: drf-spectacular describes a blank-allowing pattern as `oneOf` it and
    `maxLength: 0`, which "" matches twice, so the schema would refuse the empty string."""

    target_class = "exchanges.partners.api.recommendations.Text"

    def map_serializer_field(self, auto_schema, direction) -> dict:
        if self.target.pattern is not None:
            return {"type": "string", "pattern": self.target.pattern}
        return {"type": "string", "not": {"pattern": "\\u0000"}}


class Flag(serializers.BooleanField):
    """true or false, and only those (DRF would take 0, "yes" or "on")."""

    def to_internal_value(self, data):
        if data is not True and data is not False:
            self.fail("invalid", input=data)
        return data


class BodyRequired(AutoSchema):
    """The schema of an operation whose request body is required (drf-spectacular cannot
    tell for a choice of bodies, a `oneOf`)."""

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body:
            body["required"] = True
        return body


class RecommendationSerializer(serializers.ModelSerializer):
    """A recommendation as the API gives it (and as `recommendation.changed` carries it)."""

    class Meta:
        model = Recommendation
        fields = ["verdict", "comment", "updated_at"]


class RecommendationInput(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    comment = Text(
        max_length=recommendations.COMMENT_LIMIT,
        allow_blank=True,
        required=False,
        default="",
        help_text="For the programme's staff; leading and trailing spaces are dropped.",
    )


APPLICATION_ID = OpenApiParameter(
    "application_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The application's `id`.",
)


@extend_schema(tags=["partner"], parameters=[APPLICATION_ID])
class RecommendationView(PartnerView):
    required_scope = Scope.RECOMMEND
    serializer_class = RecommendationSerializer
    metadata_class = None  # OPTIONS is a 405, as on the other partner endpoints

    @extend_schema(
        operation_id="partner_recommendation_retrieve",
        summary="The organisation's recommendation on an application",
        responses={200: RecommendationSerializer, **problems(*PARTNER_ERRORS)},
    )
    def get(self, request, application_id: int):
        found = recommendations.recommendation_of(request.auth, application_id)
        return Response(recommendation_data(found))

    @extend_schema(
        operation_id="partner_recommendation_update",
        summary="Give or change the organisation's recommendation on an application",
        description="Idempotent: the same verdict and comment again change nothing (200). "
        "Refused (409) once the programme's decisions are announced.",
        request=RecommendationInput,
        responses={
            200: RecommendationSerializer,
            201: RecommendationSerializer,
            **problems(*PARTNER_ERRORS, 409, 415),
        },
    )
    def put(self, request, application_id: int):
        given = RecommendationInput(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            found, created = recommendations.recommend(
                request.auth, application_id, **given.validated_data
            )
        except DomainError as error:
            raise Conflict.of(error) from error
        except DjangoValidationError as error:
            raise invalid(error) from error
        return Response(
            recommendation_data(found),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
