import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from alliance.accounts.models import User
from cities.models import (
    AgreementStatus,
    City,
    Contact,
    CooperationAgreement,
    OrganisationKind,
    PartnerOrganisation,
)
from exchanges.models import (
    Application,
    ExchangeProgramme,
    ProgrammeFormat,
    ProgrammeQuestion,
    ProgrammeStatus,
    QuestionKind,
)
from startups.models import Membership, Role, Sector, Stage, Startup


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


class StartupFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Demo Start-up {n}")
    slug = factory.Sequence(lambda n: f"demo-startup-{n}")
    city = factory.SubFactory(CityFactory)
    country = "DE"
    founded_year = 2024
    founded_month = 3
    sector = Sector.FINTECH
    stage = Stage.SEED
    product_launched = True
    team_size = 4
    pitch = "We make payments between start-up cities simple."

    class Meta:
        model = Startup


class MembershipFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory, email_verified_at=factory.LazyFunction(timezone.now))
    startup = factory.SubFactory(StartupFactory)
    role = Role.OWNER

    class Meta:
        model = Membership


class ProgrammeFactory(factory.django.DjangoModelFactory):
    title_en = factory.Sequence(lambda n: f"Exchange {n}")
    title_de = factory.LazyAttribute(lambda p: f"Austausch {p.slug.rsplit('-', 1)[-1]}")
    slug = factory.Sequence(lambda n: f"exchange-{n}")
    host_city = factory.SubFactory(CityFactory)
    host_organisation = factory.SubFactory(
        OrganisationFactory, city=factory.SelfAttribute("..host_city")
    )
    format = ProgrammeFormat.RESIDENCY
    summary_en = "Four weeks of co-working in the host city."
    summary_de = "Vier Wochen Co-Working in der Gastgeberstadt."
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    ends_on = factory.LazyAttribute(lambda p: p.starts_on + datetime.timedelta(days=27))
    applications_open_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=10)
    )
    applications_close_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(days=20)
    )
    seats = 5
    status = ProgrammeStatus.PUBLISHED
    # Programmes require a pitch deck by default; most tests are not about the deck.
    requires_pitch_deck = False

    class Meta:
        model = ExchangeProgramme


class QuestionFactory(factory.django.DjangoModelFactory):
    programme = factory.SubFactory(ProgrammeFactory)
    text_en = "When would you like to travel?"
    text_de = "Wann möchten Sie reisen?"
    kind = QuestionKind.TEXT
    required = True

    class Meta:
        model = ProgrammeQuestion


class ApplicationFactory(factory.django.DjangoModelFactory):
    programme = factory.SubFactory(ProgrammeFactory)
    startup = factory.SubFactory(StartupFactory)
    motivation = "We want to enter the market."
    goals = "Meet five customers."

    class Meta:
        model = Application
