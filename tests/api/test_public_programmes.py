"""The public programme endpoints: published programmes only, filtered and ordered."""

import datetime
from types import SimpleNamespace

import pytest

from exchanges.models import ExchangeProgramme, ProgrammeFormat, ProgrammeStatus
from tests.api.reading import NO_TEXT, PROBLEM, field_errors, slugs
from tests.factories import CityFactory, OrganisationFactory, ProgrammeFactory

UTC = datetime.UTC


def at(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


def programmes():
    """One open call (Tel Aviv), one closed (Paris, open to all), one not yet open (Warsaw)."""
    cities = {slug: CityFactory(slug=slug) for slug in ("tel-aviv", "paris", "warsaw", "berlin")}
    tel_aviv_global = OrganisationFactory(slug="tel-aviv-global", city=cities["tel-aviv"])
    warsaw_hub = OrganisationFactory(slug="warsaw-hub", city=cities["warsaw"])
    paris_and_co = OrganisationFactory(slug="paris-and-co", city=cities["paris"])
    berlin_partner = OrganisationFactory(slug="berlin-partner", city=cities["berlin"])
    residency = ProgrammeFactory(
        slug="tel-aviv-residency",
        title_en="Tel Aviv Residency",
        title_de="Residenz Tel Aviv",
        summary_en="Ten days in Tel Aviv.",
        summary_de="Zehn Tage in Tel Aviv.",
        description_en="Meet investors and customers.",
        benefits_en="Co-working desk\nVisa support",
        host_city=cities["tel-aviv"],
        host_organisation=tel_aviv_global,
        format=ProgrammeFormat.RESIDENCY,
        sectors=["fintech", "software"],
        allowed_stages=["seed"],
        max_company_age_years=5,
        requires_product_launched=True,
        starts_on=datetime.date(2030, 3, 1),
        ends_on=datetime.date(2030, 3, 10),
        applications_open_at=at(2020, 1, 1, 8, 0),
        applications_close_at=at(2099, 12, 31, 22, 0),
        seats=12,
    )
    residency.co_organisers.add(warsaw_hub, berlin_partner)
    residency.eligible_origin_cities.add(cities["warsaw"], cities["berlin"])
    bootcamp = ProgrammeFactory(
        slug="paris-bootcamp",
        title_en="Paris Bootcamp",
        host_city=cities["paris"],
        host_organisation=paris_and_co,
        format=ProgrammeFormat.BOOTCAMP,
        sectors=[],
        starts_on=datetime.date(2024, 3, 1),
        ends_on=datetime.date(2024, 3, 5),
        applications_open_at=at(2024, 1, 1),
        applications_close_at=at(2024, 2, 1),
    )
    delegation = ProgrammeFactory(
        slug="warsaw-delegation",
        title_en="Warsaw Delegation",
        host_city=cities["warsaw"],
        host_organisation=warsaw_hub,
        format=ProgrammeFormat.DELEGATION,
        sectors=["healthtech"],
        starts_on=datetime.date(2099, 6, 1),
        ends_on=datetime.date(2099, 6, 7),
        applications_open_at=at(2098, 1, 1),
        applications_close_at=at(2099, 1, 1),
    )
    delegation.eligible_origin_cities.add(cities["tel-aviv"])
    draft = ProgrammeFactory(slug="secret-draft", status=ProgrammeStatus.DRAFT)
    archived = ProgrammeFactory(slug="old-programme", status=ProgrammeStatus.ARCHIVED)
    ExchangeProgramme.objects.filter(pk=residency.pk).update(updated_at=at(2026, 11, 20, 9, 30))
    return SimpleNamespace(
        residency=residency,
        bootcamp=bootcamp,
        delegation=delegation,
        draft=draft,
        archived=archived,
        cities=cities,
    )


RESIDENCY = {
    "slug": "tel-aviv-residency",
    "title": {**NO_TEXT, "en": "Tel Aviv Residency", "de": "Residenz Tel Aviv"},
    "summary": {**NO_TEXT, "en": "Ten days in Tel Aviv.", "de": "Zehn Tage in Tel Aviv."},
    "description": {**NO_TEXT, "en": "Meet investors and customers."},
    "benefits": {**NO_TEXT, "en": "Co-working desk\nVisa support"},
    "host_city": "tel-aviv",
    "host_organisation": "tel-aviv-global",
    "co_organisers": ["berlin-partner", "warsaw-hub"],
    "format": "residency",
    "eligible_origin_cities": ["berlin", "warsaw"],
    "sectors": ["fintech", "software"],
    "allowed_stages": ["seed"],
    "max_company_age_years": 5,
    "requires_product_launched": True,
    "starts_on": "2030-03-01",
    "ends_on": "2030-03-10",
    "applications_open_at": "2020-01-01T08:00:00Z",
    "applications_close_at": "2099-12-31T22:00:00Z",
    "seats": 12,
    "is_open": True,
    "url": "http://testserver/en/programmes/tel-aviv-residency/",
    "updated_at": "2026-11-20T09:30:00Z",
}


@pytest.mark.django_db
def test_programme_detail_shows_the_call_and_its_rules(client):
    programmes()

    response = client.get("/api/v1/programmes/tel-aviv-residency/")

    assert response.status_code == 200
    assert response.json() == RESIDENCY


@pytest.mark.django_db
def test_programme_detail_has_last_modified(client):
    programmes()

    response = client.get("/api/v1/programmes/tel-aviv-residency/")

    assert response["Last-Modified"] == "Fri, 20 Nov 2026 09:30:00 GMT"


@pytest.mark.django_db
def test_closed_programme_is_not_open(client):
    programmes()

    response = client.get("/api/v1/programmes/paris-bootcamp/")

    assert response.status_code == 200
    body = response.json()
    assert (body["is_open"], body["eligible_origin_cities"], body["co_organisers"]) == (
        False,
        [],
        [],
    )
    assert body["applications_close_at"] == "2024-02-01T00:00:00Z"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["secret-draft", "old-programme", "nothing-here"])
def test_unpublished_or_unknown_programme_is_not_found(client, slug):
    programmes()

    response = client.get(f"/api/v1/programmes/{slug}/")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 404


@pytest.mark.django_db
def test_programme_list_shows_published_programmes_by_closing_time(client):
    programmes()

    response = client.get("/api/v1/programmes/")

    assert slugs(response) == ["paris-bootcamp", "warsaw-delegation", "tel-aviv-residency"]
    assert response.json()["results"][2] == RESIDENCY


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"host_city": "tel-aviv"}, ["tel-aviv-residency"]),
        ({"host_city": "berlin"}, []),
        # A programme without eligible origin cities admits every city.
        ({"origin_city": "warsaw"}, ["paris-bootcamp", "tel-aviv-residency"]),
        ({"origin_city": "tel-aviv"}, ["paris-bootcamp", "warsaw-delegation"]),
        ({"origin_city": "paris"}, ["paris-bootcamp"]),
        # A programme without sectors admits every sector.
        ({"sector": "fintech"}, ["paris-bootcamp", "tel-aviv-residency"]),
        ({"sector": "healthtech"}, ["paris-bootcamp", "warsaw-delegation"]),
        ({"format": "delegation"}, ["warsaw-delegation"]),
        ({"format": "virtual"}, []),
        ({"open_now": "true"}, ["tel-aviv-residency"]),
        ({"open_now": "false"}, ["paris-bootcamp", "warsaw-delegation"]),
        ({"origin_city": "warsaw", "open_now": "true"}, ["tel-aviv-residency"]),
        ({"origin_city": "berlin", "sector": "healthtech"}, ["paris-bootcamp"]),
    ],
)
def test_programme_list_filters(client, query, expected):
    programmes()

    response = client.get("/api/v1/programmes/", query)

    assert slugs(response) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ["paris-bootcamp", "warsaw-delegation", "tel-aviv-residency"]),
        ("-applications_close_at", ["tel-aviv-residency", "warsaw-delegation", "paris-bootcamp"]),
        ("starts_on", ["paris-bootcamp", "tel-aviv-residency", "warsaw-delegation"]),
        ("-starts_on", ["warsaw-delegation", "tel-aviv-residency", "paris-bootcamp"]),
        ("title_en", ["paris-bootcamp", "tel-aviv-residency", "warsaw-delegation"]),
        ("-title_en", ["warsaw-delegation", "tel-aviv-residency", "paris-bootcamp"]),
    ],
)
def test_programme_list_orders(client, ordering, expected):
    programmes()

    response = client.get("/api/v1/programmes/", {} if ordering is None else {"ordering": ordering})

    assert slugs(response) == expected


@pytest.mark.django_db
def test_an_empty_ordering_is_a_problem(client):
    programmes()

    response = client.get("/api/v1/programmes/", {"ordering": ""})

    assert field_errors(response) == [
        {"field": "ordering", "detail": "Give a value, or leave the parameter out."}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"open_now": "maybe"}, {"field": "open_now", "detail": "Use true or false."}),
        (
            {"open_now": ""},
            {"field": "open_now", "detail": "Give a value, or leave the parameter out."},
        ),
        (
            {"origin_city": ""},
            {"field": "origin_city", "detail": "Give a value, or leave the parameter out."},
        ),
        (
            {"format": ""},
            {"field": "format", "detail": "Give a value, or leave the parameter out."},
        ),
        (
            {"origin_city": "no such/slug"},
            {"field": "origin_city", "detail": "Not a slug."},
        ),
        (
            {"host_city": "no such/slug"},
            {"field": "host_city", "detail": "Not a slug."},
        ),
        (
            {"sector": "crypto"},
            {
                "field": "sector",
                "detail": "Select a valid choice. crypto is not one of the available choices.",
            },
        ),
        (
            {"format": "cruise"},
            {
                "field": "format",
                "detail": "Select a valid choice. cruise is not one of the available choices.",
            },
        ),
        (
            {"ordering": "seats"},
            {
                "field": "ordering",
                "detail": "Select a valid choice. seats is not one of the available choices.",
            },
        ),
    ],
)
def test_programme_list_bad_filter_is_a_problem(client, query, error):
    programmes()

    response = client.get("/api/v1/programmes/", query)

    assert field_errors(response) == [error]


def _many_programmes(count: int) -> None:
    origin = CityFactory(slug="origin")
    for _ in range(count):
        programme = ProgrammeFactory()
        programme.co_organisers.add(OrganisationFactory(), OrganisationFactory())
        programme.eligible_origin_cities.add(origin, CityFactory())


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_programme_list_queries_stay_constant(client, django_assert_num_queries, count):
    _many_programmes(count)

    # The count, the page, the co-organisers, the eligible origin cities.
    with django_assert_num_queries(4):
        response = client.get("/api/v1/programmes/")

    assert response.json()["count"] == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_filtered_programme_list_queries_stay_constant(client, django_assert_num_queries, count):
    _many_programmes(count)

    # The same four: a slug is a condition of the query, not a lookup of its own.
    with django_assert_num_queries(4):
        response = client.get(
            "/api/v1/programmes/", {"origin_city": "origin", "sector": "fintech", "open_now": "1"}
        )

    assert response.json()["count"] == count


@pytest.mark.django_db
def test_programme_detail_queries(client, django_assert_num_queries):
    programmes()

    with django_assert_num_queries(3):
        response = client.get("/api/v1/programmes/tel-aviv-residency/")

    assert response.status_code == 200
