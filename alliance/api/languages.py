"""Translated content in the API: all content languages as one object, or one with `?lang=`.

Without `lang`, a translated field is `{"en": "Vienna", "de": "Wien", …, "ar": null}`
(every content language, an empty one as null). With `?lang=de` it is the German text,
falling back to English; each object then says in `fallback_languages` which of its
fields are shown in another language than the one asked for. An unknown `lang` is a 400.
`Accept-Language` never changes a response.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from modeltranslation.utils import build_localized_fieldname
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

CONTENT_LANGUAGES: tuple[str, ...] = tuple(settings.MODELTRANSLATION_LANGUAGES)
FALLBACK_LANGUAGE = "en"

LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=list(CONTENT_LANGUAGES),
    description=(
        "Give translated fields as plain strings in this content language (falling back to "
        "English; `fallback_languages` names the fields that fell back). Without it, each "
        "translated field is an object of all content languages. Any other value is a 400."
    ),
)


def requested_language(request) -> str | None:
    """The content language asked for with `?lang=`, None for all; 400 for an unknown one."""
    if request is None:
        return None
    if not hasattr(request, "_content_language"):
        value = request.query_params.get("lang")
        if value is not None and value not in CONTENT_LANGUAGES:
            raise ValidationError(
                {
                    "lang": [
                        _("Unknown language %(lang)r; use one of: %(languages)s.")
                        % {"lang": value[:20], "languages": ", ".join(CONTENT_LANGUAGES)}
                    ]
                }
            )
        request._content_language = value
    return request._content_language


def _column(field: str, language: str) -> str:
    return build_localized_fieldname(field, language)


def columns(field: str) -> dict[str, str]:
    """Content language → the model column of translated `field` (`name_zh_hans`, …)."""
    return {code: _column(field, code) for code in CONTENT_LANGUAGES}


def in_language(values: dict[str, str | None], language: str | None):
    """(what the API shows, the language it fell back to or None) for one translated text.

    `values` maps every content language to its text (empty as None); without a language,
    the API shows them all."""
    if language is None:
        return values, None
    value = values[language]
    if value is None and values[FALLBACK_LANGUAGE] is not None:
        return values[FALLBACK_LANGUAGE], FALLBACK_LANGUAGE
    return value, None


ALL_LANGUAGES_SCHEMA = {
    "type": "object",
    "description": "The text in every content language; null where it is not translated.",
    "properties": {code: {"type": "string", "nullable": True} for code in CONTENT_LANGUAGES},
    "required": list(CONTENT_LANGUAGES),
    "additionalProperties": False,
}


@extend_schema_field(
    {
        "oneOf": [ALL_LANGUAGES_SCHEMA, {"type": "string", "nullable": True}],
        "description": "All content languages as an object, or with `?lang=` one string.",
    }
)
class TranslatedField(serializers.Field):
    """A modeltranslation field: all its language columns, or one with English fallback."""

    def __init__(self, **kwargs) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance):
        language = requested_language(self.context.get("request"))
        values = {
            code: getattr(instance, column) or None
            for code, column in columns(self.field_name).items()
        }
        value, fallback = in_language(values, language)
        if fallback:
            self.parent._fallbacks[self.field_name] = fallback
        return value


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string", "enum": [FALLBACK_LANGUAGE]},
        "description": "Only with `?lang=`: the fields shown in another language than the "
        "one asked for, and the language they are in.",
    }
)
class FallbackLanguagesField(serializers.Field):
    def __init__(self, **kwargs) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return dict(self.parent._fallbacks)


class TranslatedModelSerializer(serializers.ModelSerializer):
    """A model serializer with translated fields; with `?lang=` it adds `fallback_languages`."""

    fallback_languages = FallbackLanguagesField(required=False)

    def to_representation(self, instance):
        self._fallbacks = {}
        data = super().to_representation(instance)
        # `fallback_languages` is listed last, so it sees every field's fallback.
        if requested_language(self.context.get("request")) is None:
            data.pop("fallback_languages", None)
        return data
