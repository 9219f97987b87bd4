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
        ("nycedc", "Ana Ariño"),
        ("nycedc", "Stefan Franzke"),
        ("techcode-beijing", "Sisi Liu"),
        ("techcode-beijing", "Stefan Franzke"),
        ("tel-aviv-global", "Andrea Joras"),
        ("tel-aviv-global", "Yael Weinstein"),
        ("wirtschaftsagentur-wien", "Gerhard Hirczi"),
        ("wirtschaftsagentur-wien", "Stefan Franzke"),
    ]


def test_the_loader_refuses_a_signatory_of_a_third_organisation():
    data = json.loads(NETWORK_FILE.read_text(encoding="utf-8"))
    dubai = next(row for row in data["agreements"] if row["partner"] == "dubai-sme")
    dubai["signatories"] = ["Stefan Franzke", "Emon Wang"]  # Emon Wang is at Techcode Germany

    with pytest.raises(ValidationError) as refused:
        load_network(data)

    assert refused.value.message_dict == {"signatories": [EMON_WANG_REFUSED]}
    assert not CooperationAgreement.objects.exists()  # the whole load rolled back


# Moving a signatory, or changing an agreement's parties, keeps the signatories within them

SIGNATORY_MOVED = (
    "Sara Signer signed the agreement of Berlin Partner with Dubai SME: a signatory belongs "
    "to one of its two organisations."
)
SIGNER_OUTSIDE = (
    "Sara Signer belongs to Dubai SME, which is not a party to this agreement: "
    "signatories belong to Berlin Partner or Techcode Beijing."
)


@pytest.fixture
def signer(agreement):
    contact = ContactFactory(full_name="Sara Signer", organisation=agreement.partner_organisation)
    agreement.signatories.add(contact)
    return contact


def test_a_signatory_cannot_move_to_an_organisation_outside_their_agreements(signer, outsider):
    signer.organisation = outsider.organisation

    with pytest.raises(ValidationError) as refused:
        signer.full_clean()

    assert refused.value.message_dict == {"organisation": [SIGNATORY_MOVED]}


def test_a_signatory_may_move_to_the_other_party(agreement, signer):
    signer.organisation = agreement.hub_organisation

    signer.full_clean()  # no error


def test_the_contact_admin_refuses_moving_a_signatory_and_saves_nothing(client, signer, outsider):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:cities_contact_change", args=[signer.pk])
    page = client.get(url)

    response = client.post(
        url, change_form_data(page, organisation=str(outsider.organisation.pk), phone="+49 30 1234")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"organisation": [SIGNATORY_MOVED]}
    signer.refresh_from_db()
    assert (signer.organisation.name, signer.phone) == ("Dubai SME", "")


def test_an_agreements_parties_cannot_leave_a_signatory_outside(agreement, signer, outsider):
    agreement.partner_organisation = outsider.organisation

    with pytest.raises(ValidationError) as refused:
        agreement.full_clean()

    assert refused.value.message_dict == {"partner_organisation": [SIGNER_OUTSIDE]}


def test_the_agreement_admin_refuses_new_parties_around_a_signatory(
    client, agreement, signer, outsider
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(change_url(agreement))

    response = client.post(
        change_url(agreement),
        change_form_data(page, partner_organisation=str(outsider.organisation.pk), status="draft"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"signatories": [SIGNER_OUTSIDE]}
    agreement.refresh_from_db()
    assert (agreement.partner_organisation.name, agreement.status) == ("Dubai SME", "signed")
    assert list(agreement.signatories.all()) == [signer]


def test_the_agreement_admin_saves_new_parties_with_their_signatories(
    client, agreement, signer, outsider
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(change_url(agreement))

    response = client.post(
        change_url(agreement),
        change_form_data(
            page, partner_organisation=str(outsider.organisation.pk), signatories=[str(outsider.pk)]
        ),
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.partner_organisation.name == "Techcode Beijing"
    assert list(agreement.signatories.all()) == [outsider]
