import datetime

import pytest
from django.utils import timezone

from exchanges.models import ProgrammeStatus
from startups.models import Sector, Stage
from tests.factories import CityFactory, OrganisationFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tel_aviv():
    return CityFactory(
        slug="tel-aviv", name_en="Tel Aviv", name_de="Tel Aviv", timezone="Asia/Jerusalem"
    )


def make_programmes(count: int, **fields) -> list:
    programmes = []
    for _ in range(count):
        programme = ProgrammeFactory(**fields)
        programme.co_organisers.add(OrganisationFactory())
        programme.eligible_origin_cities.add(CityFactory())
        programmes.append(programme)
    return programmes


def test_programme_list_shows_published_programmes_only(client):
    published = ProgrammeFactory(title_en="Tel Aviv Exchange")
    ProgrammeFactory(title_en="Secret Draft", status=ProgrammeStatus.DRAFT)
    ProgrammeFactory(title_en="Old One", status=ProgrammeStatus.ARCHIVED)

    html = client.get("/en/programmes/").content.decode()

    assert f'<a href="/en/programmes/{published.slug}/">Tel Aviv Exchange</a>' in html
    assert "Secret Draft" not in html
    assert "Old One" not in html
    assert "1 programme" in html


def test_programme_list_filters_by_city_sector_and_open_now(client, tel_aviv):
    now = timezone.now()
    in_tel_aviv = ProgrammeFactory(
        title_en="TLV fintech", host_city=tel_aviv, sectors=[Sector.FINTECH]
    )
    ProgrammeFactory(title_en="TLV health", host_city=tel_aviv, sectors=[Sector.HEALTHTECH])
    ProgrammeFactory(title_en="Elsewhere fintech", sectors=[Sector.FINTECH])
    ProgrammeFactory(title_en="TLV any sector", host_city=tel_aviv, sectors=[])
    ProgrammeFactory(
        title_en="TLV closed",
        host_city=tel_aviv,
        applications_open_at=now - datetime.timedelta(days=30),
        applications_close_at=now - datetime.timedelta(days=1),
    )

    html = client.get("/en/programmes/?city=tel-aviv&sector=fintech&open=on").content.decode()

    assert "TLV fintech" in html
    assert "TLV any sector" in html
    assert "TLV health" not in html
    assert "Elsewhere fintech" not in html
    assert "TLV closed" not in html
    assert "2 programmes" in html
    assert in_tel_aviv.get_absolute_url() in html


def test_programme_list_ignores_unknown_filter_values(client):
    ProgrammeFactory(title_en="Any")

    response = client.get("/de/programmes/?city=atlantis&sector=mining")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte prüfen Sie die Filter." in html
    assert "1 Programm" in html


def test_programme_detail_deadline_in_host_and_viewer_time(client, tel_aviv):
    close = datetime.datetime(2027, 3, 1, 22, 30, tzinfo=datetime.UTC)
    programme = ProgrammeFactory(
        host_city=tel_aviv,
        applications_open_at=close - datetime.timedelta(days=60),
        applications_close_at=close,
        max_company_age_years=3,
        allowed_stages=[Stage.SEED, Stage.SERIES_A],
        requires_product_launched=True,
        benefits_en="Co-working desk\nVisa support",
    )
    client.force_login(UserFactory(time_zone="America/New_York"))

    html = client.get(f"/en/programmes/{programme.slug}/").content.decode()

    assert (
        '<time datetime="2027-03-01T22:30:00+00:00">1 March 2027, 17:30</time>'
        ' <span class="time-zone">(your time, New York)</span>; '
        '<time datetime="2027-03-01T22:30:00+00:00">2 March 2027, 00:30</time>'
        ' <span class="time-zone">(Tel Aviv time)</span>'
    ) in html
    assert "Companies younger than 3 years" in html
    assert "Stages: seed, series A" in html
    assert "A launched product" in html
    assert "<li>Visa support</li>" in html


def test_programme_detail_for_anonymous_shows_host_city_time(client, tel_aviv):
    close = datetime.datetime(2027, 3, 1, 22, 30, tzinfo=datetime.UTC)
    programme = ProgrammeFactory(
        host_city=tel_aviv,
        applications_open_at=close - datetime.timedelta(days=60),
        applications_close_at=close,
    )

    html = client.get(f"/de/programmes/{programme.slug}/").content.decode()

    # In the host city's zone, named after the city (the wording is the catalogue's).
    assert '<time datetime="2027-03-01T22:30:00+00:00">2. März 2027 00:30</time>' in html
    assert "Tel Aviv" in html.split("2. März 2027 00:30</time>")[1].split("</dd>")[0]
    assert "Start-ups aus jeder Stadt" in html


def test_unpublished_programme_is_404(client):
    draft = ProgrammeFactory(status=ProgrammeStatus.DRAFT)

    assert client.get(f"/en/programmes/{draft.slug}/").status_code == 404


def test_city_page_lists_its_programmes(client, tel_aviv):
    ProgrammeFactory(title_en="Tel Aviv Exchange", host_city=tel_aviv)

    html = client.get("/en/cities/tel-aviv/").content.decode()

    assert "Tel Aviv Exchange" in html


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/en/programmes/", 4),
        ("/de/programmes/?open=on", 4),
        ("/en/programmes/{slug}/", 3),
        ("/en/cities/{city}/", 4),
    ],
)
def test_programme_pages_keep_their_query_count(client, url, queries, django_assert_num_queries):
    first = make_programmes(2)[0]
    path = url.format(slug=first.slug, city=first.host_city.slug)
    with django_assert_num_queries(queries):
        with_two = client.get(path)

    make_programmes(18, host_city=first.host_city)
    first.co_organisers.add(*[OrganisationFactory() for _ in range(3)])
    with django_assert_num_queries(queries):
        with_twenty = client.get(path)

    assert (with_two.status_code, with_twenty.status_code) == (200, 200)
