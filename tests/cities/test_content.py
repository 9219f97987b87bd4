"""The network's facts on the public pages: membership dates, descriptions, sources."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from cities.models import City
from exchanges.models import ExchangeProgramme

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    call_command("load_network")


def test_city_page_shows_the_earliest_known_membership_in_english(client, network):
    html = client.get("/en/cities/paris/").content.decode()

    assert '<dt>Member since</dt><dd>at least <time datetime="2016">2016</time></dd>' in html
    assert "not known" not in html
    assert '<a href="https://www.wien.gv.at/arbeit-wirtschaft/start-alliance.html"' in html


def test_city_page_shows_the_earliest_known_membership_in_german(client, network):
    html = client.get("/de/cities/warsaw/").content.decode()

    assert '<time datetime="2018-07">Juli 2018</time></dd>' in html
    assert "Seit Juli 2018 als Mitglied der Start Alliance genannt" in html
    assert "nicht bekannt" not in html


def test_city_list_shows_every_membership_without_not_known(client, network):
    html = client.get("/en/cities/").content.decode()

    assert 'at least <time datetime="2017-11-22">2017</time>' in html  # London
    assert "<dd>2017</dd>" in html  # Vienna
    assert "not known" not in html


def test_load_network_twice_keeps_a_staff_edit_of_a_description(network, capsys):
    vienna = City.objects.get(slug="vienna")
    vienna.description_de = "Von der Redaktion geschrieben."
    vienna.save()

    call_command("load_network")
    call_command("load_network")

    vienna.refresh_from_db()
    assert vienna.description_de == "Von der Redaktion geschrieben."
    assert vienna.description_en.startswith("A member since 22 November 2017")
    assert "Kept staff edit (city Vienna: description_de)" in capsys.readouterr().out


def test_every_city_and_demo_programme_has_a_description_in_english_and_german(network):
    call_command("demo_data")

    for model in (City, ExchangeProgramme):
        texts = model.objects.values_list("slug", "description_en", "description_de")
        assert [slug for slug, en, de in texts if not en or not de] == []
    assert ExchangeProgramme.objects.count() == 3


def test_new_york_organisations_and_the_memorandum_with_their_sources(client, network):
    html = client.get("/en/organisations/nycedc/").content.decode()

    assert "<h1>New York City Economic Development Corporation</h1>" in html
    assert "Memorandum of understanding on closer cooperation between Berlin and New York" in html
    assert "Ana Ariño" in html
    assert '<a href="https://berlin-partner.de/en/press/detail/' in html
    brooklyn = client.get("/de/organisations/brooklyn-borough-president/").content.decode()
    assert "Hier begann die Verbindung nach New York" in brooklyn
    assert '<a href="https://nyintl.nyc/' in brooklyn


@pytest.mark.parametrize(
    ("value", "valid"),
    [("2016", True), ("2018-07", True), ("2017-11-22", True), ("2018-13", False), ("16", False)],
)
def test_member_by_takes_a_year_a_month_or_a_day(value, valid):
    city = City.objects.create(
        name_en="Testville",
        slug="testville",
        country="DE",
        timezone="Europe/Berlin",
        latitude=1,
        longitude=1,
        member_by=value,
    )

    if valid:
        city.full_clean()
    else:
        with pytest.raises(ValidationError) as refused:
            city.full_clean()
        assert refused.value.message_dict == {
            "member_by": ["Enter a year (2016), a month (2018-07) or a day (2017-11-22)."]
        }
