"""Published exchange programmes as the public API shows them."""

from rest_framework import serializers

from alliance.api.languages import TranslatedField, TranslatedModelSerializer
from cities.api.base import PublicPageField
from exchanges.models import ExchangeProgramme
from startups.models import Sector, Stage


def codes(choices) -> list[tuple[str, str]]:
    """The choices' codes, labelled with themselves.

    Its own choice set in the schema (`SectorsEnum`, `AllowedStagesEnum`): with the model's
    labels it would be the partner API's `SectorEnum` under a second name, a warning that
    only an ENUM_NAME_OVERRIDES entry in the settings could otherwise silence.
    """
    return [(value, value) for value in choices.values]


class ProgrammeSerializer(TranslatedModelSerializer):
    title = TranslatedField()
    summary = TranslatedField()
    description = TranslatedField()
    benefits = TranslatedField(help_text="One benefit per line.")
    host_city = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    host_organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    co_organisers = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Co-organising organisations."
    )
    eligible_origin_cities = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        read_only=True,
        help_text="The cities start-ups may come from; empty admits start-ups from anywhere.",
    )
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=codes(Sector)),
        read_only=True,
        help_text="The sectors admitted; empty admits every sector.",
    )
    allowed_stages = serializers.ListField(
        child=serializers.ChoiceField(choices=codes(Stage)),
        read_only=True,
        help_text="The stages admitted; empty admits every stage.",
    )
    is_open = serializers.BooleanField(
        read_only=True, help_text="Whether the call for applications is open now."
    )
    url = PublicPageField(help_text="The programme's page, where start-ups apply.")

    class Meta:
        model = ExchangeProgramme
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "benefits",
            "host_city",
            "host_organisation",
            "co_organisers",
            "format",
            "eligible_origin_cities",
            "sectors",
            "allowed_stages",
            "max_company_age_years",
            "requires_product_launched",
            "starts_on",
            "ends_on",
            "applications_open_at",
            "applications_close_at",
            "seats",
            "is_open",
            "url",
            "updated_at",
            "fallback_languages",
        ]
        read_only_fields = fields
