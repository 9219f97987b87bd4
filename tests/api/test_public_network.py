"""The public network endpoints: cities, organisations and agreements (public facts only)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cities.models import AgreementStatus, OrganisationKind
from cities.services import load_network
from tests.api.reading import NO_TEXT, PROBLEM, field_errors, slugs
from tests.factories import (
    AgreementFactory,
    CityFactory,
    ContactFactory,
    OrganisationFactory,
)


def texts(**values) -> dict:
    """A translated field as the API gives it without `lang`: every language, null if empty."""
    return {**NO_TEXT, **{code.replace("_", "-"): text for code, text in values.items()}}


def network():
    """Berlin's hub, Warsaw with a signed agreement, Tel Aviv with a terminated one and a draft."""
    berlin = CityFactory(
        slug="berlin",
        name_en="Berlin",
        name_de="Berlin",
        country="DE",
        timezone="Europe/Berlin",
        latitude=Decimal("52.52000"),
        longitude=Decimal("13.40500"),
        is_hub=True,
        joined_year=2015,
    )
    warsaw = CityFactory(
        slug="warsaw",
        name_en="Warsaw",
        name_de="Warschau",
        name_pl="Warszawa",
        country="PL",
        timezone="Europe/Warsaw",
        latitude=Decimal("52.22970"),
        longitude=Decimal("21.01220"),
        description_en="Poland's capital and its largest start-up scene.",
    )
    tel_aviv = CityFactory(
        slug="tel-aviv",
        name_en="Tel Aviv",
        name_de="Tel Aviv",
        name_he="תל אביב",
        country="IL",
        timezone="Asia/Jerusalem",
        latitude=Decimal("32.08530"),
        longitude=Decimal("34.78180"),
        joined_year=2016,
    )
    hub = OrganisationFactory(
        slug="berlin-partner",
        name="Berlin Partner",
        city=berlin,
        kind=OrganisationKind.ECONOMIC_DEVELOPMENT_AGENCY,
        is_hub_operator=True,
        website="https://www.berlin-partner.de",
    )
    warsaw_hub = OrganisationFactory(
        slug="warsaw-hub",
        name="Warsaw Hub",
        city=warsaw,
        kind=OrganisationKind.INCUBATOR_ACCELERATOR,
        description_en="The city's incubator.",
        description_de="Der Inkubator der Stadt.",
    )
    tel_aviv_global = OrganisationFactory(
        slug="tel-aviv-global",
        name="Tel Aviv Global",
        city=tel_aviv,
        kind=OrganisationKind.CITY_AGENCY,
    )
    signed = AgreementFactory(
        hub_organisation=hub,
        partner_organisation=warsaw_hub,
        status=AgreementStatus.SIGNED,
        signed_on=datetime.date(2019, 5, 14),
        signed_year=2019,
        signed_in=berlin,
        valid_from=datetime.date(2019, 6, 1),
        valid_until=None,
        summary_en="Exchange of start-up delegations twice a year.",
        summary_de="Austausch von Start-up-Delegationen zweimal im Jahr.",
        document="agreements/warsaw.pdf",
    )
    signed.signatories.add(
        ContactFactory(
            organisation=warsaw_hub,
            full_name="Anna Nowak",
            email="anna.nowak@warsaw-hub.example",
            phone="+48 22 000 00 00",
        )
    )
    terminated = AgreementFactory(
        hub_organisation=hub,
        partner_organisation=tel_aviv_global,
        status=AgreementStatus.TERMINATED,
        signed_on=None,
        signed_year=2017,
        signed_in=None,
        valid_from=None,
        valid_until=datetime.date(2022, 12, 31),
    )
    draft = AgreementFactory(
        hub_organisation=hub,
        partner_organisation=tel_aviv_global,
        status=AgreementStatus.DRAFT,
        signed_year=None,
        summary_en="A new agreement, still being negotiated.",
    )
    return SimpleNamespace(
        berlin=berlin,
        warsaw=warsaw,
        tel_aviv=tel_aviv,
        hub=hub,
        warsaw_hub=warsaw_hub,
        tel_aviv_global=tel_aviv_global,
        signed=signed,
        terminated=terminated,
        draft=draft,
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# Cities


@pytest.mark.django_db
def test_city_detail_shows_the_public_facts(client):
    network()

    response = client.get("/api/v1/cities/warsaw/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "slug": "warsaw",
        "name": texts(en="Warsaw", de="Warschau", pl="Warszawa"),
        "country": "PL",
        "timezone": "Europe/Warsaw",
        "latitude": 52.2297,
        "longitude": 21.0122,
        "is_hub": False,
        "joined_year": None,
        "joined_on": None,
        "membership_year": 2019,
        "member_by": None,
        "active_agreement_count": 1,
        "description": texts(en="Poland's capital and its largest start-up scene."),
        "sources": [],
        "organisations": ["warsaw-hub"],
        "url": "http://testserver/en/cities/warsaw/",
    }


@pytest.mark.django_db
def test_city_list_puts_the_hub_first_then_by_slug(client):
    network()

    response = client.get("/api/v1/cities/")

    assert slugs(response) == ["berlin", "tel-aviv", "warsaw"]
    body = response.json()
    assert body["count"] == 3
    assert body["next"] is None
    assert body["previous"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name_en", ["berlin", "tel-aviv", "warsaw"]),
        ("-name_en", ["warsaw", "tel-aviv", "berlin"]),
        # Warsaw has no joined_year: last in either direction, on any database.
        ("joined_year", ["berlin", "tel-aviv", "warsaw"]),
        ("-joined_year", ["tel-aviv", "berlin", "warsaw"]),
    ],
)
def test_city_list_orders_by_name_or_joined_year(client, ordering, expected):
    network()

    response = client.get("/api/v1/cities/", {"ordering": ordering})

    assert slugs(response) == expected


@pytest.mark.django_db
def test_city_list_unknown_ordering_is_a_problem(client):
    network()

    response = client.get("/api/v1/cities/", {"ordering": "latitude"})

    assert field_errors(response) == [
        {
            "field": "ordering",
            "detail": "Select a valid choice. latitude is not one of the available choices.",
        }
    ]


@pytest.mark.django_db
def test_unknown_city_is_a_not_found_problem(client):
    response = client.get("/api/v1/cities/atlantis/")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    # The detail is the wiring's (alliance/api/problems.py), the same for every 404.
    assert {key: body[key] for key in ("type", "title", "status")} == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
    }


@pytest.mark.django_db
def test_city_list_pages(client):
    for n in range(3):
        CityFactory(slug=f"town-{n}")

    response = client.get("/api/v1/cities/", {"page_size": 2, "page": 2})

    assert slugs(response) == ["town-2"]
    assert response.json()["previous"] == "http://testserver/api/v1/cities/?page_size=2"


def _cities_with_organisations(count: int) -> None:
    hub = OrganisationFactory(is_hub_operator=True)
    for _ in range(count):
        organisation = OrganisationFactory()
        OrganisationFactory(city=organisation.city)
        AgreementFactory(hub_organisation=hub, partner_organisation=organisation)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_city_list_queries_stay_constant(client, django_assert_num_queries, count):
    _cities_with_organisations(count)

    # The count, the page with its figures, the organisations' slugs.
    with django_assert_num_queries(3):
        response = client.get("/api/v1/cities/")

    assert response.json()["count"] == count + 1


# Organisations


@pytest.mark.django_db
def test_organisation_detail_shows_no_contacts(client):
    network()

    response = client.get("/api/v1/organisations/warsaw-hub/")

    assert response.status_code == 200
    assert response.json() == {
        "slug": "warsaw-hub",
        "name": "Warsaw Hub",
        "city": "warsaw",
        "kind": "incubator_accelerator",
        "website": None,
        "is_hub_operator": False,
        "description": texts(en="The city's incubator.", de="Der Inkubator der Stadt."),
        "url": "http://testserver/en/organisations/warsaw-hub/",
    }
    assert b"anna.nowak" not in response.content
    assert b"Anna Nowak" not in response.content


@pytest.mark.django_db
def test_organisation_list_is_by_name(client):
    network()

    response = client.get("/api/v1/organisations/")

    assert slugs(response) == ["berlin-partner", "tel-aviv-global", "warsaw-hub"]


@pytest.mark.django_db
def test_organisation_list_orders_by_name_descending(client):
    network()

    response = client.get("/api/v1/organisations/", {"ordering": "-name"})

    assert slugs(response) == ["warsaw-hub", "tel-aviv-global", "berlin-partner"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"city": "warsaw"}, ["warsaw-hub"]),
        ({"city": "berlin"}, ["berlin-partner"]),
        ({"kind": "city_agency"}, ["tel-aviv-global"]),
        ({"kind": "chamber"}, []),
        ({"city": "warsaw", "kind": "city_agency"}, []),
    ],
)
def test_organisation_list_filters_by_city_and_kind(client, query, expected):
    network()

    response = client.get("/api/v1/organisations/", query)

    assert slugs(response) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "error"),
    [
        (
            {"city": "no such/slug"},
            {"field": "city", "detail": "Not a slug."},
        ),
        (
            {"kind": "bank"},
            {
                "field": "kind",
                "detail": "Select a valid choice. bank is not one of the available choices.",
            },
        ),
    ],
)
def test_organisation_list_bad_filter_is_a_problem(client, query, error):
    network()

    response = client.get("/api/v1/organisations/", query)

    assert field_errors(response) == [error]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_organisation_list_queries_stay_constant(client, django_assert_num_queries, count):
    _cities_with_organisations(count)

    with django_assert_num_queries(2):
        response = client.get("/api/v1/organisations/")

    assert response.json()["count"] == 2 * count + 1


@pytest.mark.django_db
def test_organisation_list_filtered_by_city_queries(client, django_assert_num_queries):
    facts = network()

    # The count, the page.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/organisations/", {"city": facts.warsaw.slug})

    assert slugs(response) == ["warsaw-hub"]


# Agreements


@pytest.mark.django_db
def test_agreement_detail_shows_public_facts_only(client):
    facts = network()

    response = client.get(f"/api/v1/agreements/{facts.signed.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": facts.signed.pk,
        "hub_organisation": "berlin-partner",
        "partner_organisation": "warsaw-hub",
        "status": "signed",
        "signed_on": "2019-05-14",
        "signed_year": 2019,
        "signed_in": "berlin",
        "valid_from": "2019-06-01",
        "valid_until": None,
        "is_active": True,
        "summary": texts(
            en="Exchange of start-up delegations twice a year.",
            de="Austausch von Start-up-Delegationen zweimal im Jahr.",
        ),
    }
    for private in (b"warsaw.pdf", b"Anna Nowak", b"anna.nowak", b"+48"):
        assert private not in response.content


@pytest.mark.django_db
def test_terminated_agreement_detail(client):
    facts = network()

    response = client.get(f"/api/v1/agreements/{facts.terminated.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": facts.terminated.pk,
        "hub_organisation": "berlin-partner",
        "partner_organisation": "tel-aviv-global",
        "status": "terminated",
        "signed_on": None,
        "signed_year": 2017,
        "signed_in": None,
        "valid_from": None,
        "valid_until": "2022-12-31",
        "is_active": False,
        "summary": NO_TEXT,
    }


@pytest.mark.django_db
def test_draft_agreement_is_not_found(client):
    facts = network()

    response = client.get(f"/api/v1/agreements/{facts.draft.pk}/")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert b"negotiated" not in response.content


@pytest.mark.django_db
def test_agreement_list_never_shows_drafts(client):
    facts = network()

    response = client.get("/api/v1/agreements/")

    # Newest signing year first.
    assert ids(response) == [facts.signed.pk, facts.terminated.pk]
    assert b"negotiated" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"organisation": "warsaw-hub"}, ["signed"]),
        ({"organisation": "tel-aviv-global"}, ["terminated"]),
        # The hub signs every agreement, on the other side.
        ({"organisation": "berlin-partner"}, ["signed", "terminated"]),
        ({"status": "signed"}, ["signed"]),
        ({"status": "terminated"}, ["terminated"]),
        ({"organisation": "warsaw-hub", "status": "terminated"}, []),
    ],
)
def test_agreement_list_filters_by_organisation_and_status(client, query, expected):
    facts = network()

    response = client.get("/api/v1/agreements/", query)

    assert ids(response) == [getattr(facts, name).pk for name in expected]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "error"),
    [
        (
            {"status": "draft"},
            {
                "field": "status",
                "detail": "Select a valid choice. draft is not one of the available choices.",
            },
        ),
        (
            {"organisation": "no such/slug"},
            {"field": "organisation", "detail": "Not a slug."},
        ),
    ],
)
def test_agreement_list_bad_filter_is_a_problem(client, query, error):
    network()

    response = client.get("/api/v1/agreements/", query)

    assert field_errors(response) == [error]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_agreement_list_queries_stay_constant(client, django_assert_num_queries, count):
    _cities_with_organisations(count)

    with django_assert_num_queries(2):
        response = client.get("/api/v1/agreements/")

    assert response.json()["count"] == count


@pytest.mark.django_db
def test_agreement_id_that_is_no_number_is_not_found(client):
    response = client.get("/api/v1/agreements/latest/")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/organisations/", {"city": "atlantis"}),
        ("/api/v1/agreements/", {"organisation": "nobody"}),
        ("/api/v1/programmes/", {"host_city": "atlantis"}),
        ("/api/v1/programmes/", {"origin_city": "atlantis"}),
    ],
)
def test_an_unknown_slug_matches_nothing(client, path, query):
    network()

    response = client.get(path, query)

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.django_db
def test_city_shows_the_earliest_known_membership_and_its_sources(client):
    load_network()

    body = client.get("/api/v1/cities/warsaw/").json()

    assert (body["joined_year"], body["member_by"]) == (None, "2018-07")
    assert body["sources"] == [
        "https://nyintl.nyc/new-york-international-blog1/2018/07/start-alliance-cities-help-ideas-to-spread-faster",
        "http://www.oe-journal.at/Aktuelles/!2018/1018/W3/12210ArkSofia.htm",
    ]
