"""Every time shown in its reader's zone, the zone named in words; the profile's zones."""

import datetime
import re

import pytest
from django import forms as django_forms
from django.utils import formats, translation

from alliance.accounts.forms import ProfileForm
from alliance.times import shown_time, zone_label
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CLOSE = datetime.datetime(2027, 3, 1, 19, 30, tzinfo=datetime.UTC)


@pytest.fixture
def tel_aviv():
    return CityFactory(
        slug="tel-aviv", name_en="Tel Aviv", name_de="Tel Aviv", timezone="Asia/Jerusalem"
    )


def deadline_shown(html: str) -> tuple[str, str]:
    """The first time the page shows for the deadline: its text and its zone's name."""
    match = re.search(
        r'<time datetime="2027-03-01T19:30:00\+00:00">([^<]+)</time>'
        r' <span class="time-zone">\(([^)]+)\)</span>',
        html,
    )
    assert match, "no deadline shown"
    return match.group(1), match.group(2)


def test_a_user_in_new_york_sees_the_same_time_in_the_list_and_on_the_detail(client, tel_aviv):
    programme = ProgrammeFactory(
        host_city=tel_aviv,
        applications_open_at=CLOSE - datetime.timedelta(days=3650),
        applications_close_at=CLOSE,
    )
    client.force_login(UserFactory(time_zone="America/New_York"))

    listing = client.get("/en/programmes/").content.decode()
    detail = client.get(f"/en/programmes/{programme.slug}/").content.decode()

    assert deadline_shown(listing) == ("1 March 2027, 14:30", "your time, New York")
    assert deadline_shown(detail) == deadline_shown(listing)
    # The detail also says it in the host city's time.
    assert '1 March 2027, 21:30</time> <span class="time-zone">(Tel Aviv time)</span>' in detail


def test_an_application_shows_the_same_time_in_the_list_and_on_the_detail(client, tel_aviv):
    membership = MembershipFactory(user__time_zone="America/New_York")
    ApplicationFactory(
        programme=ProgrammeFactory(host_city=tel_aviv),
        startup=membership.startup,
        created_at=CLOSE,
        updated_at=CLOSE,
    )
    client.force_login(membership.user)

    listing = client.get("/en/applications/").content.decode()
    application = membership.startup.applications.get()
    detail = client.get(f"/en/applications/{application.pk}/").content.decode()

    assert deadline_shown(listing) == ("1 March 2027, 14:30", "your time, New York")
    assert deadline_shown(detail) == deadline_shown(listing)


def test_a_visitor_sees_host_city_time_in_the_list_and_on_the_detail(client, tel_aviv):
    programme = ProgrammeFactory(
        host_city=tel_aviv,
        applications_open_at=CLOSE - datetime.timedelta(days=3650),
        applications_close_at=CLOSE,
    )

    listing = client.get("/en/programmes/").content.decode()
    detail = client.get(f"/en/programmes/{programme.slug}/").content.decode()

    assert deadline_shown(listing) == ("1 March 2027, 21:30", "Tel Aviv time")
    assert deadline_shown(detail) == deadline_shown(listing)
    assert "Asia/Jerusalem" not in listing + detail


def test_a_zone_is_named_after_the_network_city_else_its_place():
    beijing = CityFactory.build(name_en="Beijing", timezone="Asia/Shanghai")

    assert zone_label("Asia/Shanghai", city=beijing) == "Beijing time"
    assert zone_label("America/Argentina/Buenos_Aires") == "Buenos Aires time"
    assert zone_label("Europe/Berlin", yours=True) == "your time, Berlin"
    assert str(shown_time(CLOSE)) == "1 March 2027, 20:30 (Berlin time)"


def test_english_dates_are_in_european_style():
    moment = datetime.datetime(2026, 12, 21, 21, 28)  # noqa: DTZ001 - a wall time, no zone

    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "21 December 2026, 21:28"
        assert formats.date_format(moment.date(), "DATE_FORMAT") == "21 December 2026"
    with translation.override("de"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "21. Dezember 2026 21:28"


@pytest.mark.parametrize(
    ("language", "date_time", "short_date"),
    [
        ("en", "21 December 2026, 09:05", "21/12/2026"),
        ("de", "21. Dezember 2026 09:05", "21.12.2026"),
        ("fr", "21 décembre 2026 09:05", "21/12/2026"),
        ("pl", "21 grudnia 2026 09:05", "21.12.2026"),
        ("he", "21 בדצמבר 2026 09:05", "21/12/2026"),
        ("ar", "21 ديسمبر 2026، 9:05 ص", "21\u200f/12\u200f/2026"),
        ("zh-hans", "2026年12月21日 09:05", "2026年12月21日"),
    ],
)
def test_each_language_writes_dates_its_own_way_day_before_month(language, date_time, short_date):
    moment = datetime.datetime(2026, 12, 21, 9, 5)  # noqa: DTZ001 - a wall time, no zone

    with translation.override(language):
        assert formats.date_format(moment, "DATETIME_FORMAT") == date_time
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == short_date


def flat(choices) -> list[tuple[str, str]]:
    return [option for _group, options in choices for option in options]


def test_the_profile_offers_canonical_zones_with_network_cities_first(tel_aviv):
    CityFactory(slug="beijing", name_en="Beijing", timezone="Asia/Shanghai")
    CityFactory(slug="shanghai", name_en="Shanghai", timezone="Asia/Shanghai")

    with translation.override("en"):
        choices = list(ProfileForm().fields["time_zone"].choices)

    (first_group, network), (_other_group, others) = choices
    assert first_group == "Network cities"
    assert ("Asia/Jerusalem", "Tel Aviv") in network
    assert ("Asia/Shanghai", "Beijing, Shanghai") in network
    values = [value for value, _label in flat(choices)]
    assert len(values) == len(set(values))
    assert not [value for value in values if value.startswith("Etc/") or "/" not in value]
    for alias in ("US/Eastern", "Asia/Calcutta", "Europe/Kiev", "GMT", "Europe/Belfast"):
        assert alias not in values
    assert {"America/New_York", "Asia/Kolkata", "Europe/Kyiv"} <= set(values)
    assert ("Asia/Kolkata", "India: Kolkata") in others
    assert len(values) < 450


def test_a_zone_saved_under_an_alias_is_offered_under_its_canonical_name():
    form = ProfileForm(instance=UserFactory(time_zone="Europe/Kiev"))

    assert form["time_zone"].value() == "Europe/Kyiv"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_date_typed_day_first_is_read_day_first_as_it_is_shown(language):
    with translation.override(language):
        assert django_forms.DateField().clean("05/06/2026") == datetime.date(2026, 6, 5)
        assert django_forms.DateField().clean("2026-06-05") == datetime.date(2026, 6, 5)
        assert django_forms.DateTimeField().clean("05/06/2026 14:30").timetuple()[:5] == (
            2026,
            6,
            5,
            14,
            30,
        )
