"""What the OpenAPI schema says about errors: one problem-details shape for every 4xx/5xx.

Views name their errors with `problems(*codes)`; `document_problems`, a postprocessing
hook, makes every error response of the schema an `application/problem+json` Problem (also
one a view declared as a plain serializer) and adds the errors every operation can answer.
"""

from http import HTTPStatus

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

from alliance.api.problems import CONTENT_TYPE


class FieldError(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The parameter or field (dotted for nested ones)."
    )
    detail = serializers.CharField(help_text="What is wrong with it.")


Problem = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(
            help_text="A URI naming the kind of problem (`about:blank` when the status says "
            "it all)."
        ),
        "title": serializers.CharField(help_text="The HTTP status's phrase."),
        "status": serializers.IntegerField(help_text="The HTTP status code."),
        "detail": serializers.CharField(help_text="What went wrong, for a person to read."),
        "errors": FieldError(
            many=True, required=False, help_text="Only for invalid parameters or fields."
        ),
    },
)

_DESCRIPTIONS = {
    400: "Invalid parameters (an unknown `lang`, a malformed cursor or filter).",
    401: "No key, or a key that is wrong, revoked, expired or of an organisation without "
    "an active cooperation agreement.",
    403: "The key lacks the scope this endpoint needs.",
    404: "No such object, or one outside the key's view.",
    405: "The method is not allowed here; `Allow` lists those that are.",
    406: "The API answers only `application/json` (and problems as `application/problem+json`).",
    409: "The request conflicts with the object's current state.",
    413: "The request body is too large.",
    415: "Send `application/json`.",
    429: "Too many requests; `Retry-After` says when to try again.",
}

# What any operation may answer, whatever its view declares.
EVERY_OPERATION = (405, 406, 429)


def problems(*codes: int) -> dict[tuple[int, str], OpenApiResponse]:
    """The documented error responses `codes`, each an RFC 9457 problem."""
    return {(code, CONTENT_TYPE): _response(code) for code in codes}


def _response(code: int) -> OpenApiResponse:
    return OpenApiResponse(
        response=Problem,
        description=_DESCRIPTIONS[code],
        examples=[
            OpenApiExample(
                HTTPStatus(code).phrase,
                value={
                    "type": "about:blank",
                    "title": HTTPStatus(code).phrase,
                    "status": code,
                    "detail": _DESCRIPTIONS[code],
                },
                status_codes=[str(code)],
            )
        ],
    )


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _problem_entry(code: int, examples: dict | None = None) -> dict:
    content: dict = {"schema": PROBLEM_REF}
    if examples:
        content["examples"] = examples
    return {
        "description": _DESCRIPTIONS.get(code, HTTPStatus(code).phrase),
        "content": {CONTENT_TYPE: content},
    }


def document_problems(result: dict, generator, request, public) -> dict:
    """Every 4xx/5xx of every operation as a Problem in `application/problem+json`; list
    orderings need at least one field."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, response in list(responses.items()):
                if status[:1] not in ("4", "5"):
                    continue
                content = response.get("content", {})
                media = content.get(CONTENT_TYPE) or content.get("application/json") or {}
                entry = _problem_entry(int(status), media.get("examples"))
                entry["description"] = response.get("description") or entry["description"]
                responses[status] = entry
            for code in EVERY_OPERATION:
                responses.setdefault(str(code), _problem_entry(code))
            for parameter in operation.get("parameters", []):
                # `ordering=` names no field: a 400, like every parameter given empty.
                if parameter.get("name") == "ordering" and parameter["schema"]["type"] == "array":
                    parameter["schema"]["minItems"] = 1
    return result


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    """The partner endpoints' security scheme: `Authorization: Api-Key <key>`."""

    target_class = "exchanges.partners.api.auth.PartnerKeyAuthentication"
    name = "PartnerApiKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An organisation's key, sent as `Api-Key <key>`; it has scopes "
            "(read, recommend, webhooks). Staff of the Start Alliance issue keys.",
        }


class TranslatedSerializerScheme(OpenApiSerializerExtension):
    """`fallback_languages` comes only with `?lang=`: read-only, yet not always there."""

    target_class = "alliance.api.languages.TranslatedModelSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction) -> dict:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        # The base class's docstring is about the base class, not the component.
        if schema.get("description", "").startswith("A model serializer with translated"):
            del schema["description"]
        required = [name for name in schema.get("required", []) if name != "fallback_languages"]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        return schema


PUBLIC_ERRORS = (400, 404, 405, 406, 429)
PARTNER_ERRORS = (400, 401, 403, 404, 405, 406, 429)
