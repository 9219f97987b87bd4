import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cities.models import City, Contact, CooperationAgreement, PartnerOrganisation
from cities.services import load_network
from tests.factories import AgreementFactory, UserFactory
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db

MODELS = [City, PartnerOrganisation, Contact, CooperationAgreement]
SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]+)"')

PDF = pdf_bytes()


@pytest.fixture
def staff_client(client):
    load_network()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_admin_change_form_has_translation_tabs_and_only_local_assets(staff_client, model):
    obj = model.objects.first()

    response = staff_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200
    html = response.content.decode()
    scripts = SCRIPT_SRC.findall(html)
    assert "/static/vendor/jquery-ui/jquery-ui.min.js" in scripts
    assert "/static/modeltranslation/js/tabbed_translation_fields.js" in scripts
    assert all(src.startswith(("/static/", "/admin/")) for src in scripts), scripts
    assert "googleapis" not in html
    assert "//cdn" not in html
    assert " mt-field-" in html  # translated fields marked for the tabs


def test_arabic_and_hebrew_fields_are_edited_right_to_left_and_tabs_marked(staff_client):
    vienna = City.objects.get(slug="vienna")

    html = staff_client.get(admin_url(City, "change", vienna.pk)).content.decode()

    assert re.search(r'<input [^>]*name="name_ar"[^>]*lang="ar" dir="rtl"', html)
    assert re.search(r'<input [^>]*name="name_he"[^>]*lang="he" dir="rtl"', html)
    assert re.search(r'<input [^>]*name="name_de"[^>]*lang="de" dir="ltr"', html)
    assert re.search(r'<textarea [^>]*name="description_ar"[^>]*lang="ar" dir="rtl"', html)
    assert '<script src="/static/admin/js/language_tabs.js" nonce="' in html
    assert 'id="language-tab-labels" hidden data-filled="filled in" data-empty="empty"' in html


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_admin_changelist_and_add_form_render(staff_client, model):
    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    assert staff_client.get(admin_url(model, "add")).status_code == 200


def test_admin_city_edit_saves_languages(staff_client):
    vienna = City.objects.get(slug="vienna")
    form = {
        "name_en": "Vienna",
        "name_de": "Wien",
        "name_fr": "Vienne",
        "slug": "vienna",
        "country": "AT",
        "timezone": "Europe/Vienna",
        "is_hub": "",
        "latitude": "48.2082",
        "longitude": "16.3738",
        "joined_year": "2017",
        "joined_on": "2017-11-22",
        "description_en": "Capital of Austria.",
    }

    response = staff_client.post(admin_url(City, "change", vienna.pk), form)

    assert response.status_code == 302
    vienna.refresh_from_db()
    assert (vienna.name_fr, vienna.description_en) == ("Vienne", "Capital of Austria.")


def test_admin_city_refuses_a_second_hub(staff_client):
    paris = City.objects.get(slug="paris")
    form = {
        "name_en": "Paris",
        "slug": "paris",
        "country": "FR",
        "timezone": "Europe/Paris",
        "is_hub": "on",
        "latitude": "48.8566",
        "longitude": "2.3522",
    }

    response = staff_client.post(admin_url(City, "change", paris.pk), form)

    assert response.status_code == 200
    assert "There is already a hub city." in response.content.decode()
    paris.refresh_from_db()
    assert paris.is_hub is False


def test_admin_agreement_list_marks_expiring(staff_client):
    import datetime

    from django.utils import timezone

    soon = timezone.localdate() + datetime.timedelta(days=10)
    AgreementFactory(
        hub_organisation=PartnerOrganisation.objects.get(slug="berlin-partner"),
        partner_organisation=PartnerOrganisation.objects.get(slug="techcode-germany"),
        valid_until=soon,
    )

    listing = staff_client.get(admin_url(CooperationAgreement, "changelist")).content.decode()
    expiring = staff_client.get(
        admin_url(CooperationAgreement, "changelist") + "?validity=expiring"
    ).content.decode()

    assert "⚠ expires in 10 days" in listing
    assert listing.count("open-ended") == 5
    assert expiring.count('<th class="field-partner_organisation') == 1


def agreement_form(agreement: CooperationAgreement, **changes) -> dict:
    return {
        "hub_organisation": agreement.hub_organisation_id,
        "partner_organisation": agreement.partner_organisation_id,
        "status": agreement.status,
        "signed_year": agreement.signed_year or "",
        "signed_on": agreement.signed_on or "",
        "signatories": [contact.pk for contact in agreement.signatories.all()],
        **changes,
    }


def test_admin_agreement_document_upload_accepts_a_pdf_and_serves_it_to_staff_only(
    staff_client, settings
):
    agreement = CooperationAgreement.objects.get(partner_organisation__slug="dubai-sme")
    upload = SimpleUploadedFile("agreement.pdf", PDF, content_type="application/pdf")

    response = staff_client.post(
        admin_url(CooperationAgreement, "change", agreement.pk),
        agreement_form(agreement, document=upload),
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    url = agreement.document.url
    assert (settings.MEDIA_ROOT / "private" / agreement.document.name).read_bytes() == PDF
    assert url.startswith("/private/agreements/")
    download = staff_client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    staff_client.logout()
    assert staff_client.get(url).status_code == 404  # anonymous
    staff_client.force_login(UserFactory(is_staff=False))
    assert staff_client.get(url).status_code == 404  # a founder


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 this is a program", "agreement.pdf", "The file is not a PDF document."),
        (b"", "agreement.pdf", "The submitted file is empty."),
    ],
)
def test_admin_agreement_document_refuses_what_is_not_a_pdf(
    staff_client, settings, content, name, message
):
    agreement = CooperationAgreement.objects.get(partner_organisation__slug="dubai-sme")

    response = staff_client.post(
        admin_url(CooperationAgreement, "change", agreement.pk),
        agreement_form(agreement, document=SimpleUploadedFile(name, content)),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    agreement.refresh_from_db()
    assert not agreement.document
    assert not (settings.MEDIA_ROOT / "private").exists()


def test_private_files_refuse_unregistered_and_traversing_paths(staff_client):
    assert staff_client.get("/private/other/secret.pdf").status_code == 404
    assert staff_client.get("/private/agreements/../../settings.py").status_code == 404
    assert staff_client.get("/private/agreements/missing.pdf").status_code == 404
