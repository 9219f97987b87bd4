"""What every public, read-only endpoint shares (the network's here, the programmes' in
exchanges.api): list and detail only, `?lang=` checked before anything is read, filters
and ordering from django-filter whose bad values are a 400, never an empty list."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import F
from django.db.models.expressions import OrderBy
from django_filters import filters
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from alliance.api.languages import LANG_PARAMETER, requested_language
from alliance.api.schema import PUBLIC_ERRORS, problems

SLUG_PATTERN = r"[-a-zA-Z0-9_]+"
BOOLEAN_VALUES = {"true": True, "false": False, "1": True, "0": False}


class StrictBooleanField(forms.Field):
    """`true` or `false` (also 1 or 0); anything else is an error, not "no filter"."""

    def to_python(self, value):
        if value in EMPTY_VALUES:
            return None
        if isinstance(value, bool):
            return value
        try:
            return BOOLEAN_VALUES[str(value).lower()]
        except KeyError:
            raise ValidationError("Use true or false.", code="invalid") from None


class StrictBooleanFilter(filters.BooleanFilter):
    # django-filter's own BooleanFilter reads an unknown value as "not given".
    field_class = StrictBooleanField


class SlugFilter(filters.CharFilter):
    """An object named by its slug: an unknown slug matches nothing (an empty list), a value
    that is not a slug at all is a 400."""

    def __init__(self, *args, help_text: str, **kwargs) -> None:
        if "method" not in kwargs and "field_name" in kwargs:
            kwargs["field_name"] = f"{kwargs['field_name']}__slug"
        kwargs["validators"] = [RegexValidator(f"^{SLUG_PATTERN}$", "Not a slug.")]
        super().__init__(*args, help_text=help_text, **kwargs)
        # The slug's syntax in the schema (a schema override carries its own description).
        extend_schema_field(
            {
                "type": "string",
                "pattern": f"^{SLUG_PATTERN}$",
                "description": f"{help_text} An unknown slug matches nothing.",
            }
        )(self)

    def filter(self, qs, value):
        if self.field_name and not self.field_name.endswith("__slug") and not self.method:
            self.field_name = f"{self.field_name}__slug"  # declared without field_name
        return super().filter(qs, value)


class PublicFilterSet(FilterSet):
    """Filters where a parameter given with no value is a 400, as the schema says, not
    "no filter" (`ordering=` too: the schema asks for at least one listed field)."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name not in self.data:
                continue
            if self.data.get(name) == "":
                self.form.add_error(name, "Give a value, or leave the parameter out.")
                valid = False
        return valid


def _nulls_last(field: str) -> OrderBy:
    name = field.removeprefix("-")
    return F(name).desc(nulls_last=True) if field.startswith("-") else F(name).asc(nulls_last=True)


class StableOrderingFilter(filters.OrderingFilter):
    """`?ordering=` from a fixed list, with a unique last key so pages never overlap."""

    def __init__(self, *args, tiebreak: str = "pk", **kwargs) -> None:
        self.tiebreak = tiebreak
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        # Empty values last in either direction, on PostgreSQL and SQLite alike.
        return qs.order_by(*(_nulls_last(self.get_ordering_value(p)) for p in value), self.tiebreak)


@extend_schema_field(OpenApiTypes.URI)
class PublicPageField(serializers.Field):
    """The object's page on the portal (in English), as an absolute URL."""

    def __init__(self, **kwargs) -> None:
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", "The public page on the portal.")
        super().__init__(**kwargs)

    def to_representation(self, instance) -> str:
        url = instance.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """A public list and detail: no key, throttled per client address (the default)."""

    filter_backends = [DjangoFilterBackend]

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        # An unknown `lang` is a 400 even where no row would show a translated field.
        requested_language(request)


def slug_parameter(thing: str) -> OpenApiParameter:
    return OpenApiParameter(
        "slug",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        pattern=f"^{SLUG_PATTERN}$",
        description=f"The {thing}'s `slug`.",
    )


def id_parameter(thing: str) -> OpenApiParameter:
    return OpenApiParameter(
        "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {thing}'s `id`."
    )


def documented(
    serializer, *, lookup: OpenApiParameter, list_summary: str, detail_summary: str, **detail
):
    """The schema of a public list and detail: `?lang=`, the lookup and the errors."""
    return extend_schema_view(
        list=extend_schema(
            summary=list_summary,
            parameters=[LANG_PARAMETER],
            responses={200: serializer(many=True), **problems(*PUBLIC_ERRORS)},
        ),
        retrieve=extend_schema(
            summary=detail_summary,
            parameters=[lookup, LANG_PARAMETER],
            responses={200: serializer, **problems(*PUBLIC_ERRORS)},
            **detail,
        ),
    )
