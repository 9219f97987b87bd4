"""Countries are real ISO 3166 codes; a network city brings its own."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.errors import DomainError
from startups import services
from startups.models import Startup
from tests.factories import CityFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Orbit Robotics",
    "other_city": "",
    "founded_year": "2023",
    "founded_month": "4",
    "sector": "industry",
    "stage": "seed",
    "team_size": "6",
    "pitch": "Robots that pick parcels.",
}
UNKNOWN_ZZ = "“ZZ” is not a country code of ISO 3166: choose a country from the list."


def test_create_startup_refuses_an_unknown_country_code(client):
    client.force_login(UserFactory())

    response = client.post(
        "/en/startups/new/", {**PROFILE, "other_city": "Lisbon", "country": "ZZ"}
    )

    assert response.status_code == 200
    assert UNKNOWN_ZZ in response.content.decode()
    assert not Startup.objects.exists()


def test_create_startup_in_a_network_city_takes_its_country(client):
    berlin = CityFactory(slug="berlin", country="DE")
    client.force_login(UserFactory())

    response = client.post("/en/startups/new/", {**PROFILE, "city": "berlin", "country": ""})

    startup = Startup.objects.get()
    assert response.status_code == 302
    assert (startup.city, startup.country) == (berlin, "DE")


def test_create_startup_in_a_network_city_ignores_another_country(client):
    CityFactory(slug="paris", country="FR")
    client.force_login(UserFactory())

    client.post("/en/startups/new/", {**PROFILE, "city": "paris", "country": "DE"})

    assert Startup.objects.get().country == "FR"


def test_create_startup_in_another_city_needs_its_country(client):
    client.force_login(UserFactory())

    response = client.post("/en/startups/new/", {**PROFILE, "other_city": "Lisbon", "country": ""})

    assert response.status_code == 200
    assert "Choose the country of the home city." in response.content.decode()
    assert not Startup.objects.exists()


def test_create_startup_in_another_city_keeps_the_chosen_country(client):
    client.force_login(UserFactory())

    client.post("/en/startups/new/", {**PROFILE, "other_city": "Lisbon", "country": "PT"})

    assert Startup.objects.get().country == "PT"


def test_edit_startup_moving_to_a_network_city_takes_its_country(client):
    user = UserFactory()
    CityFactory(slug="vienna", country="AT")
    client.force_login(user)
    client.post("/en/startups/new/", {**PROFILE, "other_city": "Lisbon", "country": "PT"})
    startup = Startup.objects.get()

    client.post(
        f"/en/startups/{startup.slug}/edit/",
        {**PROFILE, "city": "vienna", "other_city": "", "country": "PT"},
    )

    startup.refresh_from_db()
    assert (startup.city.slug, startup.country) == ("vienna", "AT")


def test_city_refuses_an_unknown_country_code():
    city = CityFactory.build(country="ZZ")

    with pytest.raises(ValidationError) as error:
        city.full_clean()

    assert error.value.message_dict["country"] == [UNKNOWN_ZZ]


def test_city_accepts_a_real_country_code():
    CityFactory.build(country="IL").full_clean(exclude=["slug"])


def test_editing_a_start_up_shows_its_network_city_chosen_and_saves_unchanged(client):
    berlin = CityFactory(slug="berlin", country="DE", name_en="Berlin")
    CityFactory(slug="paris", country="FR", name_en="Paris")
    user = UserFactory()
    client.force_login(user)
    client.post("/en/startups/new/", {**PROFILE, "city": "berlin", "country": ""})
    startup = Startup.objects.get()

    form = client.get(f"/en/startups/{startup.slug}/edit/").context["form"]
    html = client.get(f"/en/startups/{startup.slug}/edit/").content.decode()
    # Saved as the browser sends the form back untouched: every field as it was shown.
    unchanged = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in PROFILE | {"city": "", "country": ""}
    }
    response = client.post(f"/en/startups/{startup.slug}/edit/", unchanged)

    assert '<option value="berlin" selected>' in html
    assert unchanged["city"] == "berlin"
    assert response.status_code == 302
    startup.refresh_from_db()
    assert (startup.city, startup.country) == (berlin, "DE")


def test_a_founding_month_in_the_future_is_refused_at_its_field(client):
    client.force_login(UserFactory())
    next_year = str(timezone.localdate().year + 2)  # still to come in every zone

    response = client.post(
        "/en/startups/new/",
        {**PROFILE, "other_city": "Lisbon", "country": "PT", "founded_year": next_year},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["founded_year"] == [
        "A start-up cannot have been founded in the future."
    ]
    assert not Startup.objects.exists()
    # The month it is where the day begins first (UTC+14): begun for someone on Earth.
    this_month = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=14)).date()
    allowed = client.post(
        "/en/startups/new/",
        {
            **PROFILE,
            "other_city": "Lisbon",
            "country": "PT",
            "founded_year": str(this_month.year),
            "founded_month": str(this_month.month),
        },
    )
    assert allowed.status_code == 302


def test_the_service_refuses_a_founding_month_in_the_future_whoever_calls_it():
    user = UserFactory()
    startup = Startup(
        name="Orbit Robotics",
        other_city="Lisbon",
        country="PT",
        founded_year=timezone.localdate().year + 2,
        founded_month=1,
        sector="industry",
        stage="seed",
        team_size=3,
        pitch="Robots.",
    )

    with pytest.raises(DomainError) as refused:
        services.create_startup(startup, by=user)

    assert refused.value.code == "founded_in_future"
    assert not Startup.objects.exists()
