import datetime

import pytest

from cities.models import AgreementStatus, City, PartnerOrganisation
from cities.services import load_network
from tests.factories import AgreementFactory, CityFactory, ContactFactory, OrganisationFactory
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    load_network()


def grow_network(cities: int) -> None:
    """Add cities, each with two organisations, a signed agreement and its signatories."""
    hub = PartnerOrganisation.objects.filter(is_hub_operator=True).first() or OrganisationFactory(
        is_hub_operator=True, city=CityFactory(is_hub=True)
    )
    signer = ContactFactory(organisation=hub)
    for _ in range(cities):
        city = CityFactory()
        for _ in range(2):
            partner = OrganisationFactory(city=city)
            agreement = AgreementFactory(hub_organisation=hub, partner_organisation=partner)
            agreement.signatories.set([signer, ContactFactory(organisation=partner)])


# Real data, both languages


def test_home_shows_the_network_in_english(client, network):
    html = client.get("/en/").content.decode()

    assert '<h2 id="figures-heading">The network in figures</h2>' in html
    assert "<dt>Member cities</dt><dd>10</dd>" in html
    assert "<dt>Active cooperation agreements</dt><dd>5</dd>" in html
    # Two drawings of the map (wide and narrow), each with every city and nine spokes.
    assert html.count('<g class="map-city') == 20
    assert html.count('<g class="map-city map-hub" data-city="berlin">') == 2
    assert html.count("<line x1=") == 18
    assert "<li>Berlin (hub)</li>" in html
    assert '<a href="/en/cities/vienna/">Vienna</a>' in html


def test_home_shows_the_network_in_german(client, network):
    html = client.get("/de/").content.decode()

    assert '<h2 id="figures-heading">Das Netzwerk in Zahlen</h2>' in html
    assert "<dt>Mitgliedsstädte</dt><dd>10</dd>" in html
    assert '<a href="/de/cities/vienna/">Wien</a>' in html
    assert '<a href="/de/cities/warsaw/">Warschau</a>' in html
    assert "<p>Karte des Start-Alliance-Netzwerks: 10 Städte," in html
    assert "<li>Warschau</li>" in html


def test_city_list_in_german(client, network):
    html = client.get("/de/cities/").content.decode()

    assert "<h1>Städte</h1>" in html
    assert "Die Start Alliance hat 10 Mitgliedsstädte." in html
    assert (
        '<h2><a href="/de/cities/berlin/">Berlin</a> <span class="badge">Drehkreuz</span></h2>'
        in html
    )
    assert '<a href="/de/cities/warsaw/">Warschau</a>' in html
    assert "<div><dt>Mitglied seit</dt><dd>2017</dd></div>" in html  # Wien
    assert '<time datetime="2016">2016</time></dd></div>' in html  # Paris: at least 2016
    assert "nicht bekannt" not in html


def test_city_detail_shows_organisations_agreements_and_signatories(client, network):
    html = client.get("/en/cities/dubai/").content.decode()

    assert "<h1>Dubai</h1>" in html
    assert '<h3><a href="/en/organisations/dubai-sme/">DUBAI SME</a></h3>' in html
    assert "Cooperation agreement with Berlin Partner für Wirtschaft und Technologie" in html
    assert "<div><dt>Signed</dt><dd>2018</dd></div>" in html
    assert (
        "Dr. Stefan Franzke (Managing Director, Berlin Partner für "
        "Wirtschaft und Technologie); Abdul Basset Al Janahi "
        "(Chief Executive Officer, DUBAI SME)"
    ) in html


def test_city_detail_in_german_with_signing_day(client, network):
    html = client.get("/de/cities/vienna/").content.decode()

    assert "<h1>Wien</h1>" in html
    assert '<time datetime="2017-11-22">22. November 2017</time>' in html
    assert "<dt>Unterzeichnet</dt>" in html
    assert "Kooperationsvertrag mit Berlin Partner für Wirtschaft und Technologie" in html


def test_city_without_organisations(client, network):
    html = client.get("/de/cities/paris/").content.decode()

    assert "Für diese Stadt ist noch keine Partnerorganisation eingetragen." in html


def test_organisation_detail_of_the_hub_lists_every_agreement(client, network):
    html = client.get("/de/organisations/berlin-partner/").content.decode()

    assert "<h1>Berlin Partner für Wirtschaft und Technologie</h1>" in html
    assert "betreibt die Start Alliance" in html
    assert html.count('<li class="agreement">') == 5
    assert (
        '<a href="/de/organisations/wirtschaftsagentur-wien/">Wirtschaftsagentur Wien</a> (Wien)'
        in html
    )
    assert "Dr. Stefan Franzke (Geschäftsführer, " in html


def test_unknown_city_and_organisation_are_404(client, network):
    assert client.get("/en/cities/atlantis/").status_code == 404
    assert client.get("/en/organisations/nobody/").status_code == 404


def test_draft_agreements_are_not_public(client, network):
    partner = PartnerOrganisation.objects.get(slug="dubai-sme")
    AgreementFactory(
        hub_organisation=PartnerOrganisation.objects.get(slug="techcode-germany"),
        partner_organisation=partner,
        status=AgreementStatus.DRAFT,
        signed_year=None,
    )

    html = client.get("/en/organisations/dubai-sme/").content.decode()

    assert html.count('<li class="agreement">') == 1
    assert "TechCode Germany" not in html


def test_validity_shown(client, network):
    AgreementFactory(
        hub_organisation=PartnerOrganisation.objects.get(slug="berlin-partner"),
        partner_organisation=OrganisationFactory(city=City.objects.get(slug="paris"), name="X"),
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2027, 12, 31),
    )

    html = client.get("/en/cities/paris/").content.decode()

    assert "<dt>Valid</dt><dd>from 1 January 2026 until 31 December 2027</dd>" in html


# Translated content: fallback and right-to-left


def test_content_falls_back_to_english_marked_as_english(client, network):
    vienna = City.objects.get(slug="vienna")
    vienna.description_en = "Vienna joined in 2017."
    vienna.description_de = ""
    vienna.save()

    html = client.get("/de/cities/vienna/").content.decode()

    assert '<div lang="en"><p>Vienna joined in 2017.</p></div>' in html


def test_content_in_the_page_language_when_translated(client, network):
    vienna = City.objects.get(slug="vienna")
    vienna.description_en = "Vienna joined in 2017."
    vienna.description_de = "Wien ist 2017 beigetreten."
    vienna.save()

    html = client.get("/de/cities/vienna/").content.decode()

    assert "<div><p>Wien ist 2017 beigetreten.</p></div>" in html


def test_content_is_escaped(client, network):
    vienna = City.objects.get(slug="vienna")
    vienna.description_en = "<script>alert(1)</script>"
    vienna.save()

    html = client.get("/en/cities/vienna/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("slug", "name", "language"),
    [("tel-aviv", "תל אביב-יפו", "he"), ("dubai", "دبي", "ar")],
)
def test_local_names_in_right_to_left_scripts_carry_lang_and_dir(
    client, network, slug, name, language
):
    City.objects.filter(slug=slug).update(**{f"name_{language}": name})

    detail = client.get(f"/en/cities/{slug}/").content.decode()
    listing = client.get("/de/cities/").content.decode()

    marked = f'<span lang="{language}" dir="rtl">{name}</span>'
    assert f'<p class="local-name">{marked}</p>' in detail
    assert marked in listing


def test_local_name_in_a_left_to_right_script(client, network):
    City.objects.filter(slug="warsaw").update(name_pl="Warszawa")

    html = client.get("/en/cities/warsaw/").content.decode()

    assert '<p class="local-name"><span lang="pl">Warszawa</span></p>' in html


# Query counts stay the same as the network grows


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/en/", 3),  # the digest of what it shows; on a first visit its cities and calls
        ("/de/cities/", 1),
        ("/en/cities/{city}/", 5),
        ("/de/organisations/{hub}/", 3),
        ("/en/organisations/{partner}/", 3),
    ],
)
def test_pages_keep_their_query_count_as_the_network_grows(client, url, queries):
    grow_network(10)
    hub = PartnerOrganisation.objects.get(is_hub_operator=True)
    busiest = City.objects.exclude(is_hub=True).first()
    partner = busiest.organisations.first()
    path = url.format(city=busiest.slug, hub=hub.slug, partner=partner.slug)
    with_ten = count_queries(client, path)

    grow_network(40)
    for _ in range(5):  # the city and organisation on the page grow too
        organisation = OrganisationFactory(city=busiest)
        AgreementFactory(hub_organisation=hub, partner_organisation=organisation)
    ContactFactory.create_batch(3, organisation=partner)
    with_fifty = count_queries(client, path)

    assert City.objects.count() == 51
    assert (with_ten, with_fifty) == (queries, queries)
