"""The public programme list and the home's open calls: order, badges, pages, cached cards."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from cities.models import City, PartnerOrganisation
from exchanges.calls import CallState, call_state
from exchanges.models import ExchangeProgramme
from tests.factories import CityFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def programme(title: str, *, opens: int, closes: int, **fields) -> ExchangeProgramme:
    """A published programme whose call opens and closes `opens`/`closes` days from now."""
    now = timezone.now()
    return ProgrammeFactory(
        title_en=title,
        applications_open_at=now + opens * DAY,
        applications_close_at=now + closes * DAY,
        **fields,
    )


def titles(html: str) -> list[str]:
    return re.findall(r'<h[23]><a href="[^"]+">([^<]+)</a></h[23]>', html)


def badges(html: str) -> list[str]:
    return re.findall(r'<span class="badge (badge--\w+)">', html)


def test_call_state_open_closing_upcoming_closed(settings):
    settings.PROGRAMME_CLOSING_SOON_DAYS = 14
    now = timezone.now()
    open_call = programme("Open", opens=-5, closes=30)

    assert call_state(open_call, now=now) == CallState.OPEN
    assert call_state(open_call, now=now + 17 * DAY) == CallState.CLOSING
    assert call_state(open_call, now=now - 6 * DAY) == CallState.UPCOMING
    assert call_state(open_call, now=now + 31 * DAY) == CallState.CLOSED
    settings.PROGRAMME_CLOSING_SOON_DAYS = 40
    assert call_state(open_call, now=now) == CallState.CLOSING


def test_programme_list_puts_open_calls_first_with_badges(client):
    programme("Closed long ago", opens=-90, closes=-60)
    programme("Closed lately", opens=-40, closes=-2)
    programme("Opens later", opens=30, closes=60)
    programme("Opens soon", opens=3, closes=40)
    programme("Open a while", opens=-5, closes=50)
    programme("Closing in a week", opens=-20, closes=7)

    html = client.get("/en/programmes/").content.decode()

    assert titles(html) == [
        "Closing in a week",
        "Open a while",
        "Opens soon",
        "Opens later",
        "Closed lately",
        "Closed long ago",
    ]
    assert badges(html) == [
        "badge--closing",
        "badge--open",
        "badge--upcoming",
        "badge--upcoming",
        "badge--closed",
        "badge--closed",
    ]
    assert '<span class="badge badge--closing">Closing soon</span>' in html
    assert '<span class="badge badge--open">Open</span>' in html
    assert '<span class="badge badge--closed">Closed</span>' in html
    assert "6 programmes" in html


def test_programme_list_open_now_filter_keeps_only_open_calls(client):
    programme("Closed", opens=-40, closes=-2)
    programme("Upcoming", opens=3, closes=40)
    programme("Open", opens=-5, closes=50)

    html = client.get("/en/programmes/?open=on").content.decode()

    assert titles(html) == ["Open"]
    assert '<span class="badge badge--open">' in html
    assert "1 programme" in html


def test_programme_list_is_paged_and_pages_keep_the_filters(client, settings):
    settings.PROGRAMME_PAGE_SIZE = 3
    city = CityFactory(slug="tel-aviv", name_en="Tel Aviv")
    for number in range(7):
        programme(f"Call {number}", opens=-5, closes=10 + number, host_city=city)
    programme("Elsewhere", opens=-5, closes=5)

    first = client.get("/en/programmes/?city=tel-aviv").content.decode()
    last = client.get("/en/programmes/?city=tel-aviv&page=3").content.decode()

    assert titles(first) == ["Call 0", "Call 1", "Call 2"]
    assert "7 programmes" in first
    assert "Page 1 of 3" in first
    assert '<a href="?city=tel-aviv&amp;page=2" rel="next">Next page</a>' in first
    assert 'rel="prev"' not in first
    assert titles(last) == ["Call 6"]
    assert '<a href="?city=tel-aviv&amp;page=2" rel="prev">Previous page</a>' in last
    assert client.get("/en/programmes/?page=9").status_code == 404


def test_programme_list_shows_a_change_of_programme_city_or_organisation(client):
    call = programme("Before", opens=-5, closes=50)
    assert "Before" in client.get("/en/programmes/").content.decode()

    call.title_en = "After"
    call.save()
    html = client.get("/en/programmes/").content.decode()
    assert "After" in html
    assert "Before" not in html

    city = call.host_city
    city.name_en = "Renamed City"
    city.save()
    assert "Renamed City" in client.get("/en/programmes/").content.decode()

    organisation = call.host_organisation
    organisation.name = "Renamed Organisation"
    organisation.save()
    assert "Renamed Organisation" in client.get("/en/programmes/").content.decode()

    # Writes that send no signal and leave updated_at alone are seen as well.
    City.objects.filter(pk=city.pk).update(name_en="Quietly Renamed")
    PartnerOrganisation.objects.filter(pk=organisation.pk).update(name="Quiet Organisation")
    ExchangeProgramme.objects.filter(pk=call.pk).update(summary_en="A quiet new summary.")
    html = client.get("/en/programmes/").content.decode()
    assert "Quietly Renamed" in html
    assert "Quiet Organisation" in html
    assert "A quiet new summary." in html


def test_programme_card_follows_the_call_state_and_the_language(client):
    call = programme("Soon", opens=2, closes=50)
    assert badges(client.get("/en/programmes/").content.decode()) == ["badge--upcoming"]

    ExchangeProgramme.objects.filter(pk=call.pk).update(applications_open_at=timezone.now() - DAY)
    assert badges(client.get("/en/programmes/").content.decode()) == ["badge--open"]
    german = client.get("/de/programmes/").content.decode()
    assert "Austausch" in german
    assert "Soon" not in german


def test_programme_list_renders_while_redis_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "alliance.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    programme("Still shown", opens=-5, closes=50)

    response = client.get("/en/programmes/")
    home = client.get("/en/")

    assert response.status_code == 200
    assert "Still shown" in response.content.decode()
    assert home.status_code == 200
    assert "Still shown" in home.content.decode()


def test_programme_list_query_count_is_constant(client, django_assert_num_queries, settings):
    settings.PROGRAMME_PAGE_SIZE = 12
    for _ in range(3):
        programme("Few", opens=-5, closes=50)
    # The content's digest, then on a miss: the page, its count, the city filter's choices.
    with django_assert_num_queries(4):
        few = client.get("/en/programmes/")
    with django_assert_num_queries(1):  # the digest only: the same content is cached
        again = client.get("/en/programmes/")

    for _ in range(30):
        programme("Many", opens=-5, closes=50)
    with django_assert_num_queries(4):
        many = client.get("/en/programmes/?page=2")
    with django_assert_num_queries(1):
        many_again = client.get("/en/programmes/?page=2")

    assert (few.status_code, many.status_code) == (200, 200)
    assert again.content == few.content
    assert many_again.content == many.content
    assert len(titles(many.content.decode())) == 12


def test_home_leads_with_open_calls_and_their_deadlines(client):
    tel_aviv = CityFactory(name_en="Tel Aviv", timezone="Asia/Jerusalem")
    close = timezone.now().replace(microsecond=0) + 5 * DAY
    ProgrammeFactory(
        title_en="Tel Aviv Exchange",
        host_city=tel_aviv,
        applications_open_at=close - 30 * DAY,
        applications_close_at=close,
    )
    programme("Closed one", opens=-40, closes=-2)
    programme("Upcoming one", opens=3, closes=40)

    html = client.get("/en/").content.decode()

    calls = html.split('id="open-calls-heading"')[1].split("</section>")[0]
    assert ">Open calls</h2>" in calls
    assert titles(calls) == ["Tel Aviv Exchange"]
    assert '<span class="badge badge--closing">Closing soon</span>' in calls
    assert f'<time datetime="{close.isoformat()}">' in calls
    assert "open until" in calls
    assert html.index("open-calls-heading") < html.index("figures-heading")


def test_home_without_open_calls_says_so(client):
    programme("Closed one", opens=-40, closes=-2)

    html = client.get("/de/").content.decode()

    calls = html.split('id="open-calls-heading"')[1].split("</section>")[0]
    assert titles(calls) == []
    assert "Closed one" not in calls
    assert "<p>Derzeit ist keine Ausschreibung offen.</p>" in calls


def test_home_query_count_is_constant(client, django_assert_num_queries):
    programme("One", opens=-5, closes=50)
    # The content's digest, then on a miss: the cities with their figures, the open calls.
    with django_assert_num_queries(3):
        one = client.get("/en/")
    with django_assert_num_queries(1):
        client.get("/en/")

    for _ in range(10):
        programme("More", opens=-5, closes=50)
    with django_assert_num_queries(3):
        more = client.get("/en/")
    with django_assert_num_queries(1):
        again = client.get("/en/")

    assert (one.status_code, more.status_code) == (200, 200)
    assert again.content == more.content
    assert len(titles(more.content.decode().split('id="open-calls-heading"')[1])) == 6


def test_home_map_follows_a_city_change(client):
    city = CityFactory(name_en="Old Name")
    CityFactory()
    assert "Old Name" in client.get("/en/").content.decode()

    City.objects.filter(pk=city.pk).update(name_en="New Name")
    html = client.get("/en/").content.decode()

    assert "New Name" in html
    assert "Old Name" not in html


def test_cached_pages_show_every_change_however_it_is_written(client):
    # Each change is made inside the test's one transaction, as a later request would
    # see it: the digest must notice a row rewritten by the same transaction too.
    shown = programme("First title", opens=-5, closes=30)
    city = shown.host_organisation.city

    def pages() -> str:
        return client.get("/en/").content.decode() + client.get("/en/programmes/").content.decode()

    assert "First title" in pages()
    ExchangeProgramme.objects.filter(pk=shown.pk).update(title_en="Second title")
    assert "Second title" in pages()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ExchangeProgramme._meta.db_table} SET title_en = %s WHERE id = %s",  # noqa: S608
            ["Third title", shown.pk],
        )
    assert "Third title" in pages()
    City.objects.filter(pk=city.pk).update(name_en="Renamed City")
    assert "Renamed City" in pages()
    ExchangeProgramme.objects.filter(pk=shown.pk).update(title_en="Third title")  # no change
    assert "Third title" in pages()
    programme("Another call", opens=-1, closes=20)
    assert "Another call" in pages()
    ExchangeProgramme.objects.filter(pk=shown.pk).delete()
    assert "Third title" not in pages()
