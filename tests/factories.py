from decimal import Decimal

import factory

from alliance.models import User
from cities.models import (
    AgreementStatus,
    City,
    Contact,
    CooperationAgreement,
    OrganisationKind,
    PartnerOrganisation,
)


class UserFactory(factory.django.DjangoModelFactory):
    email = factory.Sequence(lambda n: f"founder{n}@example.com")
    name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")

    class Meta:
        model = User
        skip_postgeneration_save = True


class CityFactory(factory.django.DjangoModelFactory):
    name_en = factory.Sequence(lambda n: f"City {n}")
    name_de = factory.LazyAttribute(lambda city: f"Stadt {city.slug.rsplit('-', 1)[-1]}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    country = "FR"
    timezone = "Europe/Paris"
    latitude = factory.Sequence(lambda n: Decimal(str(round(-60 + (n * 7.3) % 120, 4))))
    longitude = factory.Sequence(lambda n: Decimal(str(round(-170 + (n * 37.1) % 340, 4))))

    class Meta:
        model = City


class OrganisationFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    city = factory.SubFactory(CityFactory)
    kind = OrganisationKind.ECONOMIC_DEVELOPMENT_AGENCY

    class Meta:
        model = PartnerOrganisation


class ContactFactory(factory.django.DjangoModelFactory):
    organisation = factory.SubFactory(OrganisationFactory)
    full_name = factory.Faker("name")
    position_en = "Managing Director"
    position_de = "Geschäftsführerin"
    email = factory.Sequence(lambda n: f"contact{n}@partner.example")

    class Meta:
        model = Contact


class AgreementFactory(factory.django.DjangoModelFactory):
    hub_organisation = factory.SubFactory(OrganisationFactory, is_hub_operator=True)
    partner_organisation = factory.SubFactory(OrganisationFactory)
    status = AgreementStatus.SIGNED
    signed_year = 2018

    class Meta:
        model = CooperationAgreement
