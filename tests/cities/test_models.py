import datetime
from decimal import Decimal

import pytest

from cities.models import AgreementStatus, City, CooperationAgreement
from tests.factories import AgreementFactory, CityFactory, ContactFactory, OrganisationFactory
from tests.helpers import refused_by_database

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


# Constraints, each hit with a plain save() that skips model validation.


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latitude", Decimal("90.5")),
        ("latitude", Decimal(-91)),
        ("longitude", Decimal("180.1")),
        ("country", "de"),
        ("country", "D1"),
        ("joined_year", 2014),
        ("name_en", ""),
        ("name_en", None),
    ],
)
def test_city_constraint_refuses(field, value):
    city = CityFactory.build(**{field: value})

    assert refused_by_database(city.save)
    assert not City.objects.exists()


def test_city_slug_unique():
    CityFactory(slug="berlin")

    assert refused_by_database(lambda: CityFactory(slug="berlin"))


def test_city_only_one_hub():
    CityFactory(is_hub=True)

    assert refused_by_database(lambda: CityFactory(is_hub=True))
    assert CityFactory(is_hub=False).pk  # any number of non-hub cities


def test_organisation_slug_unique_and_one_hub_operator():
    OrganisationFactory(slug="berlin-partner", is_hub_operator=True)

    assert refused_by_database(lambda: OrganisationFactory(slug="berlin-partner"))
    assert refused_by_database(lambda: OrganisationFactory(is_hub_operator=True))


def test_organisation_kind_must_be_known():
    assert refused_by_database(lambda: OrganisationFactory(kind="bank"))


def test_contact_email_unique_per_organisation_regardless_of_case():
    contact = ContactFactory(email="anna@partner.example")

    assert refused_by_database(
        lambda: ContactFactory(organisation=contact.organisation, email="Anna@Partner.example")
    )
    assert ContactFactory(email="anna@partner.example").pk  # another organisation may
    assert ContactFactory(organisation=contact.organisation, email="").pk
    assert ContactFactory(organisation=contact.organisation, email="").pk  # blanks repeat


@pytest.mark.parametrize(
    "fields",
    [
        {"valid_from": datetime.date(2020, 1, 1), "valid_until": datetime.date(2019, 12, 31)},
        {"status": AgreementStatus.SIGNED, "signed_year": None, "signed_on": None},
        {"signed_year": 2014},
        {"status": "lost"},
    ],
)
def test_agreement_constraint_refuses(fields):
    agreement = AgreementFactory.build(
        hub_organisation=OrganisationFactory(is_hub_operator=True),
        partner_organisation=OrganisationFactory(),
        **fields,
    )

    assert refused_by_database(agreement.save)
    assert not CooperationAgreement.objects.exists()


def test_agreement_needs_two_organisations():
    hub = OrganisationFactory(is_hub_operator=True)

    assert refused_by_database(
        lambda: AgreementFactory(hub_organisation=hub, partner_organisation=hub)
    )


def test_agreement_one_live_per_partner_but_terminated_ones_may_repeat():
    first = AgreementFactory()
    pair = {
        "hub_organisation": first.hub_organisation,
        "partner_organisation": first.partner_organisation,
    }

    assert refused_by_database(lambda: AgreementFactory(status=AgreementStatus.DRAFT, **pair))
    first.status = AgreementStatus.TERMINATED
    first.save()
    AgreementFactory(status=AgreementStatus.TERMINATED, **pair)
    assert AgreementFactory(**pair).pk


def test_agreement_same_day_validity_allowed():
    day = datetime.date(2020, 1, 1)

    assert AgreementFactory(valid_from=day, valid_until=day).pk


# Derived facts


def test_agreements_active_from_status_and_validity():
    hub = OrganisationFactory(is_hub_operator=True)

    def agreement(**fields):
        return AgreementFactory(hub_organisation=hub, **fields)

    open_ended = agreement()
    within = agreement(
        valid_from=datetime.date(2025, 1, 1), valid_until=datetime.date(2026, 11, 25)
    )
    agreement(status=AgreementStatus.DRAFT, signed_year=None)
    agreement(status=AgreementStatus.TERMINATED)
    agreement(valid_from=datetime.date(2026, 11, 26))
    agreement(valid_until=datetime.date(2026, 11, 24))

    active = CooperationAgreement.objects.active(TODAY)

    assert set(active) == {open_ended, within}


def test_agreements_expiring_within_sixty_days():
    hub = OrganisationFactory(is_hub_operator=True)
    soon = AgreementFactory(hub_organisation=hub, valid_until=TODAY + datetime.timedelta(days=60))
    AgreementFactory(hub_organisation=hub, valid_until=TODAY + datetime.timedelta(days=61))
    AgreementFactory(hub_organisation=hub)
    AgreementFactory(hub_organisation=hub, valid_until=TODAY - datetime.timedelta(days=1))

    assert list(CooperationAgreement.objects.expiring(TODAY)) == [soon]


def test_agreement_clean_fills_year_from_day():
    agreement = AgreementFactory.build(
        hub_organisation=OrganisationFactory(is_hub_operator=True),
        partner_organisation=OrganisationFactory(),
        signed_on=datetime.date(2017, 11, 22),
        signed_year=None,
    )

    agreement.full_clean()

    assert agreement.signed_year == 2017


def test_city_membership_year_from_data_else_first_signed_agreement():
    hub = OrganisationFactory(is_hub_operator=True)
    known = CityFactory(joined_year=2016)
    from_agreements = CityFactory()
    unknown = CityFactory()
    partner = OrganisationFactory(city=from_agreements)
    AgreementFactory(hub_organisation=hub, partner_organisation=partner, signed_year=2019)
    AgreementFactory(
        hub_organisation=hub,
        partner_organisation=OrganisationFactory(city=from_agreements),
        signed_year=2018,
    )
    AgreementFactory(
        hub_organisation=hub,
        partner_organisation=OrganisationFactory(city=known),
        signed_year=2020,
    )

    years = {city.pk: city.membership_year for city in City.objects.with_figures()}

    assert years[known.pk] == 2016
    assert years[from_agreements.pk] == 2018
    assert years[unknown.pk] is None
