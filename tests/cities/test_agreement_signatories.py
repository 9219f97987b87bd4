"""An agreement's signatories belong to one of its two organisations."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from cities.models import CooperationAgreement
from cities.services import NETWORK_FILE, load_network
from tests.admin_forms import change_form_data
from tests.factories import AgreementFactory, ContactFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    return AgreementFactory(
        hub_organisation__name="Berlin Partner",
        partner_organisation__name="Dubai SME",
    )


@pytest.fixture
def outsider():
    return ContactFactory(
        full_name="Anna Outsider", organisation=OrganisationFactory(name="Techcode Beijing")
    )


OUTSIDER_REFUSED = (
    "Anna Outsider belongs to Techcode Beijing, which is not a party to this agreement: "
    "signatories belong to Berlin Partner or Dubai SME."
)


EMON_WANG_REFUSED = (
    "Emon Wang belongs to TechCode Germany, which is not a party to this agreement: "
    "signatories belong to Berlin Partner für Wirtschaft und Technologie or DUBAI SME."
)


def change_url(agreement) -> str:
    return reverse("admin:cities_cooperationagreement_change", args=[agreement.pk])


def test_admin_form_refuses_a_signatory_of_a_third_organisation(client, agreement, outsider):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    insider = ContactFactory(organisation=agreement.partner_organisation)
    page = client.get(change_url(agreement))

    response = client.post(
        change_url(agreement),
        change_form_data(page, signatories=[str(insider.pk), str(outsider.pk)], status="draft"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"signatories": [OUTSIDER_REFUSED]}
    agreement.refresh_from_db()
    assert agreement.status == "signed"  # nothing saved, not even the other fields
    assert not agreement.signatories.exists()


def test_admin_form_saves_signatories_of_both_organisations(client, agreement):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    hub_side = ContactFactory(organisation=agreement.hub_organisation)
    partner_side = ContactFactory(organisation=agreement.partner_organisation)
    page = client.get(change_url(agreement))

    response = client.post(
        change_url(agreement),
        change_form_data(page, signatories=[str(hub_side.pk), str(partner_side.pk)]),
    )

    assert response.status_code == 302
    assert set(agreement.signatories.all()) == {hub_side, partner_side}


def test_every_other_write_refuses_a_signatory_of_a_third_organisation(agreement, outsider):
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        agreement.signatories.add(outsider)

    assert refused.value.message_dict == {"signatories": [OUTSIDER_REFUSED]}
    assert not agreement.signatories.exists()


def test_the_reverse_write_refuses_too(agreement, outsider):
    with pytest.raises(ValidationError), transaction.atomic():
        outsider.signed_agreements.add(agreement)

    assert not CooperationAgreement.objects.filter(signatories=outsider).exists()


def test_the_real_network_data_still_loads_with_its_signatories():
    load_network()

    signed = sorted(
        (agreement.partner_organisation.slug, contact.full_name)
        for agreement in CooperationAgreement.objects.all()
        for contact in agreement.signatories.all()
    )
    assert signed == [
        ("dubai-sme", "Abdul Basset Al Janahi"),
        ("dubai-sme", "Stefan Franzke"),
        ("techcode-beijing", "Sisi Liu"),
        ("techcode-beijing", "Stefan Franzke"),
    ]


def test_the_loader_refuses_a_signatory_of_a_third_organisation():
    data = json.loads(NETWORK_FILE.read_text(encoding="utf-8"))
    dubai = next(row for row in data["agreements"] if row["partner"] == "dubai-sme")
    dubai["signatories"] = ["Stefan Franzke", "Emon Wang"]  # Emon Wang is at Techcode Germany

    with pytest.raises(ValidationError) as refused:
        load_network(data)

    assert refused.value.message_dict == {"signatories": [EMON_WANG_REFUSED]}
    assert not CooperationAgreement.objects.exists()  # the whole load rolled back
