"""What the OpenAPI schema says about errors: one problem-details shape for every 4xx/5xx."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers


class FieldError(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The parameter or field.")
    detail = serializers.CharField()


Problem = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(help_text="A URI naming the kind of problem."),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "errors": FieldError(many=True, required=False),
    },
)

_DESCRIPTIONS = {
    400: "Invalid parameters (an unknown `lang`, a malformed cursor or filter).",
    401: "No key, or a key that is wrong, revoked, expired or of an organisation without "
    "an active cooperation agreement.",
    403: "The key lacks the scope this endpoint needs.",
    404: "No such object, or one outside the key's view.",
    405: "The method is not allowed here.",
    406: "The API answers only `application/json`.",
    415: "Send `application/json`.",
    429: "Too many requests; `Retry-After` says when to try again.",
}


def problems(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses `codes`, each an RFC 9457 problem."""
    return {
        code: OpenApiResponse(
            response=Problem,
            description=_DESCRIPTIONS[code],
            examples=[
                OpenApiExample(
                    f"{code}",
                    value={
                        "type": "about:blank",
                        "title": "…",
                        "status": code,
                        "detail": _DESCRIPTIONS[code],
                    },
                    status_codes=[str(code)],
                )
            ],
        )
        for code in codes
    }


PUBLIC_ERRORS = (400, 404, 405, 406, 429)
PARTNER_ERRORS = (400, 401, 403, 404, 405, 406, 429)
