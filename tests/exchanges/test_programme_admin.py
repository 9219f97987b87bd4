"""The programme's admin page: eligibility as checkboxes, the host in the host city."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from exchanges.models import ExchangeProgramme
from startups.models import Sector, Stage
from tests.admin_forms import change_form_data
from tests.factories import CityFactory, OrganisationFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

HOST_REFUSED = (
    "Wirtschaftsagentur Wien is in Vienna, not in the host city Tel Aviv: "
    "choose an organisation of the host city."
)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def programme():
    tel_aviv = CityFactory(slug="tel-aviv", name_en="Tel Aviv", name_de="Tel Aviv")
    vienna = CityFactory(slug="vienna", name_en="Vienna", name_de="Wien")
    programme = ProgrammeFactory(host_city=tel_aviv, slug="tel-aviv-exchange")
    programme.eligible_origin_cities.set([vienna])
    return programme


def change_url(programme) -> str:
    return reverse("admin:exchanges_exchangeprogramme_change", args=[programme.pk])


def checkboxes(html: str, name: str) -> list[tuple[str, str, bool]]:
    """Each checkbox of `name` on the page as (value, label, ticked)."""
    pattern = re.compile(
        rf'<input type="checkbox" name="{name}" value="([^"]*)" id="[^"]*"( checked)?>'
        r"\s*([^<]*?)\s*</label>"
    )
    return [(value, label, bool(ticked)) for value, ticked, label in pattern.findall(html)]


def test_eligibility_renders_as_checkboxes_with_labels(admin_client, programme):
    programme.allowed_stages = [Stage.SEED]
    programme.sectors = [Sector.FINTECH, Sector.HEALTHTECH]
    programme.save()
    vienna = programme.eligible_origin_cities.get()

    html = admin_client.get(change_url(programme)).content.decode()

    assert checkboxes(html, "allowed_stages") == [
        ("idea", "idea", False),
        ("pre_seed", "pre-seed", False),
        ("seed", "seed", True),
        ("series_a", "series A", False),
        ("later", "later", False),
    ]
    sectors = checkboxes(html, "sectors")
    assert len(sectors) == 15
    assert sectors[:2] == [
        ("ai_data", "AI and data", False),
        ("cleantech", "cleantech and energy", False),
    ]
    assert ("fintech", "fintech", True) in sectors
    assert ("healthtech", "health", True) in sectors
    assert ("mobility", "mobility and logistics", False) in sectors
    assert checkboxes(html, "eligible_origin_cities") == [
        (str(programme.host_city.pk), "Tel Aviv", False),
        (str(vienna.pk), "Vienna", True),
    ]
    # No JSON: no text field for the lists, no codes' list, no autocomplete for the cities.
    assert '<textarea name="allowed_stages"' not in html
    assert '<textarea name="sectors"' not in html
    assert "[&quot;seed&quot;]" not in html
    assert 'name="eligible_origin_cities" class="admin-autocomplete' not in html
    assert '<select name="eligible_origin_cities"' not in html


def test_eligibility_city_labels_in_the_readers_language(admin_client, programme):
    vienna = programme.eligible_origin_cities.get()

    response = admin_client.get(change_url(programme), headers={"accept-language": "de"})

    assert (str(vienna.pk), "Wien", True) in checkboxes(
        response.content.decode(), "eligible_origin_cities"
    )


def test_eligibility_saved_as_codes_in_choice_order(admin_client, programme):
    page = admin_client.get(change_url(programme))
    vienna = programme.eligible_origin_cities.get()
    tel_aviv = programme.host_city

    response = admin_client.post(
        change_url(programme),
        change_form_data(
            page,
            allowed_stages=["series_a", "idea", "seed"],
            sectors=["healthtech", "fintech"],
            eligible_origin_cities=[str(tel_aviv.pk), str(vienna.pk)],
        ),
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.allowed_stages == ["idea", "seed", "series_a"]
    assert programme.sectors == ["fintech", "healthtech"]
    assert set(programme.eligible_origin_cities.values_list("slug", flat=True)) == {
        "tel-aviv",
        "vienna",
    }


def test_eligibility_none_ticked_saves_empty_lists(admin_client, programme):
    programme.allowed_stages = [Stage.SEED]
    programme.sectors = [Sector.FINTECH]
    programme.save()
    page = admin_client.get(change_url(programme))
    data = change_form_data(page)
    del data["allowed_stages"], data["sectors"], data["eligible_origin_cities"]

    response = admin_client.post(change_url(programme), data)

    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.allowed_stages, programme.sectors) == ([], [])
    assert not programme.eligible_origin_cities.exists()


def test_eligibility_unknown_code_is_a_form_error(admin_client, programme):
    page = admin_client.get(change_url(programme))

    response = admin_client.post(
        change_url(programme),
        change_form_data(page, allowed_stages=["seed", "unicorn"], sectors=["spacetech"]),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["allowed_stages"] == [
        "Select a valid choice. unicorn is not one of the available choices."
    ]
    assert errors["sectors"] == [
        "Select a valid choice. spacetech is not one of the available choices."
    ]
    programme.refresh_from_db()
    assert (programme.allowed_stages, programme.sectors) == ([], [])


def test_host_organisation_of_another_city_is_refused_in_the_form(admin_client, programme):
    page = admin_client.get(change_url(programme))
    viennese = OrganisationFactory(
        name="Wirtschaftsagentur Wien", city=programme.eligible_origin_cities.get()
    )
    host = programme.host_organisation

    response = admin_client.post(
        change_url(programme), change_form_data(page, host_organisation=str(viennese.pk))
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["host_organisation"] == [HOST_REFUSED]
    assert ExchangeProgramme.objects.get().host_organisation == host


def test_host_organisation_of_another_city_is_refused_by_the_model(programme):
    programme.host_organisation = OrganisationFactory(
        name="Wirtschaftsagentur Wien", city=programme.eligible_origin_cities.get()
    )

    with pytest.raises(ValidationError) as refused:
        programme.full_clean()

    assert refused.value.message_dict == {"host_organisation": [HOST_REFUSED]}


def test_host_organisation_of_the_host_city_is_accepted_by_the_model(programme):
    programme.host_organisation = OrganisationFactory(city=programme.host_city)

    programme.full_clean()


def test_export_actions_shown_only_with_the_export_permission(client, programme):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="exchanges",
            codename__in=["view_exchangeprogramme", "view_application"],
        )
    )
    client.force_login(staff)
    url = reverse("admin:exchanges_exchangeprogramme_changelist")

    without = client.get(url).content.decode()
    staff.user_permissions.add(Permission.objects.get(codename="export_application"))
    staff = type(staff).objects.get(pk=staff.pk)  # fresh permission cache
    client.force_login(staff)
    with_permission = client.get(url).content.decode()

    assert "Export applications (CSV)" not in without
    assert '<option value="export_applications_csv">Export applications (CSV)</option>' in (
        with_permission
    )
    assert '<option value="export_applications_xlsx">Export applications (XLSX)</option>' in (
        with_permission
    )
