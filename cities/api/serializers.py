"""The network as the public API shows it: public facts only.

Agreements never show drafts, their document or their signatories (contacts are people
whose details are not public); organisations never show their contacts.
"""

from rest_framework import serializers

from alliance.api.languages import TranslatedField, TranslatedModelSerializer
from cities.api.base import PublicPageField
from cities.models import AgreementStatus, City, CooperationAgreement, PartnerOrganisation

PUBLIC_STATUSES = [AgreementStatus.SIGNED, AgreementStatus.TERMINATED]


class CitySerializer(TranslatedModelSerializer):
    name = TranslatedField()
    description = TranslatedField()
    membership_year = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The year the city joined, else the year of its first signed agreement.",
    )
    active_agreement_count = serializers.IntegerField(
        read_only=True, help_text="Agreements of its organisations that are active today."
    )
    member_by = serializers.SerializerMethodField(
        help_text=(
            "When the day the city joined is not known: the earliest date a source lists it "
            "as a member, to the precision known (2016, 2018-07 or 2017-11-22); else null."
        )
    )
    sources = serializers.ListField(
        child=serializers.URLField(),
        read_only=True,
        help_text="The public pages the city's facts were read from.",
    )
    organisations = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True, help_text="Its partner organisations."
    )
    url = PublicPageField()

    class Meta:
        model = City
        fields = [
            "slug",
            "name",
            "country",
            "timezone",
            "latitude",
            "longitude",
            "is_hub",
            "joined_year",
            "joined_on",
            "membership_year",
            "member_by",
            "active_agreement_count",
            "description",
            "sources",
            "organisations",
            "url",
            "fallback_languages",
        ]
        read_only_fields = fields

    def get_member_by(self, city: City) -> str | None:
        return city.member_by or None


class OptionalURLField(serializers.URLField):
    """A URL the model stores as "" when there is none: null here, never an empty string."""

    def to_representation(self, value):
        return value or None


class OrganisationSerializer(TranslatedModelSerializer):
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    website = OptionalURLField(read_only=True, allow_null=True)
    description = TranslatedField()
    url = PublicPageField()

    class Meta:
        model = PartnerOrganisation
        fields = [
            "slug",
            "name",
            "city",
            "kind",
            "website",
            "is_hub_operator",
            "description",
            "url",
            "fallback_languages",
        ]
        read_only_fields = fields


class AgreementSerializer(TranslatedModelSerializer):
    hub_organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    partner_organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    signed_in = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="The city of the signing."
    )
    status = serializers.ChoiceField(
        choices=[(status.value, status.label) for status in PUBLIC_STATUSES], read_only=True
    )
    is_active = serializers.BooleanField(
        read_only=True, help_text="Signed and valid today (an open end counts)."
    )
    summary = TranslatedField()

    class Meta:
        model = CooperationAgreement
        fields = [
            "id",
            "hub_organisation",
            "partner_organisation",
            "status",
            "signed_on",
            "signed_year",
            "signed_in",
            "valid_from",
            "valid_until",
            "is_active",
            "summary",
            "fallback_languages",
        ]
        read_only_fields = fields
