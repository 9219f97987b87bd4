"""Reads of the network for the public pages."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from cities.models import (
    AgreementStatus,
    City,
    Contact,
    CooperationAgreement,
    PartnerOrganisation,
)


@dataclass(frozen=True)
class NetworkFigures:
    cities: int
    organisations: int
    active_agreements: int
    founded: int


def public_cities() -> QuerySet[City]:
    """Every city with its figures, the hub first, then by name in the current language."""
    return City.objects.with_figures().order_by("-is_hub", "name")


def network_figures(cities: list[City]) -> NetworkFigures:
    """Key figures of the network, from cities annotated by `public_cities()`."""
    return NetworkFigures(
        cities=len(cities),
        organisations=sum(city.organisation_count for city in cities),
        active_agreements=sum(city.active_agreement_count for city in cities),
        founded=min(
            (city.membership_year for city in cities if city.membership_year), default=2015
        ),
    )


def public_agreements() -> QuerySet[CooperationAgreement]:
    """Agreements the public may see (not drafts), with both sides and signatories loaded."""
    return (
        CooperationAgreement.objects.exclude(status=AgreementStatus.DRAFT)
        .select_related("hub_organisation", "partner_organisation__city", "signed_in")
        .prefetch_related(
            Prefetch("signatories", queryset=Contact.objects.select_related("organisation"))
        )
        .order_by("-signed_year", "partner_organisation__name")
    )


def city_detail() -> QuerySet[City]:
    """Cities with their organisations and those organisations' public agreements loaded."""
    organisations = PartnerOrganisation.objects.order_by(
        "-is_hub_operator", "name"
    ).prefetch_related(
        Prefetch("agreements_as_partner", queryset=public_agreements(), to_attr="public_agreements")
    )
    return City.objects.with_figures().prefetch_related(
        Prefetch("organisations", queryset=organisations)
    )


def organisation_detail() -> QuerySet[PartnerOrganisation]:
    """Organisations with their city and every public agreement they are a side of."""
    return PartnerOrganisation.objects.select_related("city")


def agreements_of(organisation: PartnerOrganisation) -> QuerySet[CooperationAgreement]:
    """The public agreements that `organisation` signed, on either side."""
    return public_agreements().filter(
        Q(hub_organisation=organisation) | Q(partner_organisation=organisation)
    )
