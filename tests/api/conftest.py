"""Two partner organisations side by side, with programmes, applications and keys.

`partners` builds, through the real services: Tel Aviv's organisation hosting a programme
co-organised by Warsaw's, Paris's organisation hosting another; submitted (consented)
applications at both, a draft at each; a key with every scope for each organisation.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cities.models import AgreementStatus
from exchanges.models import Answer
from exchanges.partners.models import PartnerApiKey, Scope
from exchanges.partners.webhooks import services as webhooks
from exchanges.partners.webhooks.models import EventType
from exchanges.services import submit_application
from startups.models import Role
from tests.factories import (
    AgreementFactory,
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    QuestionFactory,
)

ALL_SCOPES = [scope.value for scope in Scope]


def active_agreement(organisation, hub):
    return AgreementFactory(
        hub_organisation=hub,
        partner_organisation=organisation,
        status=AgreementStatus.SIGNED,
        valid_from=timezone.localdate() - datetime.timedelta(days=365),
        valid_until=None,
    )


def make_key(organisation, scopes=None, **fields) -> tuple[PartnerApiKey, str]:
    """A key of `organisation` and its secret (shown once, as to a partner)."""
    return PartnerApiKey.objects.create_key(
        organisation=organisation,
        name=fields.pop("name", f"{organisation.slug} key"),
        scopes=ALL_SCOPES if scopes is None else scopes,
        **fields,
    )


def auth(raw: str) -> dict:
    """Test-client headers for a key."""
    return {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}


def submitted(programme, *, name: str, answer: str = "Mid-March, two of us", **fields):
    """A start-up's application to `programme`, submitted by its verified owner."""
    owner = MembershipFactory(
        role=Role.OWNER,
        startup__name=name,
        user__email_verified_at=timezone.now(),
    )
    application = ApplicationFactory(
        programme=programme, startup=owner.startup, created_by=owner.user, **fields
    )
    for question in programme.questions.all():
        Answer.objects.create(application=application, question=question, value=answer)
    return submit_application(application, by=owner.user, consent=True)


def draft(programme, *, name: str):
    owner = MembershipFactory(role=Role.OWNER, startup__name=name)
    return ApplicationFactory(programme=programme, startup=owner.startup, created_by=owner.user)


@pytest.fixture
def partners(db):
    hub = OrganisationFactory(name="Berlin Partner", slug="berlin-partner", is_hub_operator=True)
    tel_aviv = OrganisationFactory(name="Tel Aviv Global", slug="tel-aviv-global")
    warsaw = OrganisationFactory(name="Warsaw Hub", slug="warsaw-hub")
    paris = OrganisationFactory(name="Paris&Co", slug="paris-and-co")
    for organisation in (tel_aviv, warsaw, paris):
        active_agreement(organisation, hub)
    tlv = ProgrammeFactory(
        slug="tel-aviv-residency",
        host_organisation=tel_aviv,
        host_city=tel_aviv.city,
    )
    tlv.co_organisers.add(warsaw)
    QuestionFactory(programme=tlv, text_en="When would you like to travel?")
    paris_programme = ProgrammeFactory(
        slug="paris-bootcamp", host_organisation=paris, host_city=paris.city
    )
    tlv_keys = make_key(tel_aviv)
    paris_keys = make_key(paris)
    warsaw_keys = make_key(warsaw)
    return SimpleNamespace(
        hub=hub,
        tel_aviv=tel_aviv,
        warsaw=warsaw,
        paris=paris,
        tlv_programme=tlv,
        paris_programme=paris_programme,
        tlv_apps=[submitted(tlv, name=f"Shalom {n}") for n in range(3)],
        paris_apps=[submitted(paris_programme, name=f"Bonjour {n}") for n in range(2)],
        tlv_draft=draft(tlv, name="Unfinished TLV"),
        paris_draft=draft(paris_programme, name="Unfinished Paris"),
        tlv_key=tlv_keys[0],
        tlv_raw=tlv_keys[1],
        paris_key=paris_keys[0],
        paris_raw=paris_keys[1],
        warsaw_key=warsaw_keys[0],
        warsaw_raw=warsaw_keys[1],
    )


def make_endpoint(organisation, *, events=None, url=None, **fields):
    """A webhook endpoint of `organisation`, registered through the service (every event)."""
    return webhooks.register(
        organisation,
        url=url or f"https://hooks.example.com/{organisation.slug}",
        events=list(EventType.values) if events is None else events,
        **fields,
    )
