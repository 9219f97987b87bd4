"""Times as their reader reads them: one way to format every time the portal shows.

A time is shown in the reader's time zone when it is known (a logged-in user's profile),
else in the zone of the event's city, else in the portal's (Berlin), and always says
which zone it is in, in words: "your time, New York", "Tel Aviv time", "Berlin time";
never a raw IANA name. A city's zone is named after the network city, any other zone
after the place in its name. Views, templates (alliance/templatetags/times.py) and
emails (alliance.mail.outbox.local_time) all go through `shown_time`/`zone_time`.
"""

import datetime
import functools
import importlib.resources
import unicodedata
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, pgettext

from alliance.i18n import translated_value


def place_of_zone(zone: str, city: object | None = None) -> str:
    """The place a zone is named after: the city's name if it is the city's zone."""
    if city is not None and getattr(city, "timezone", None) == zone:
        name = translated_value(city, "name")[0]
        if name:
            return name
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(zone: str, *, city: object | None = None, yours: bool = False) -> str:
    """Name a time zone in words, e.g. "Tel Aviv time" or "your time, New York"."""
    if zone in {"UTC", "Etc/UTC"}:
        return gettext("UTC")
    place = place_of_zone(zone, city)
    if yours:
        return gettext("your time, %(place)s") % {"place": place}
    return pgettext("a time zone named after a place", "%(place)s time") % {"place": place}


def reader_zone(user: object | None) -> str:
    """The reader's own time zone: a logged-in user's profile zone, else ""."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return getattr(user, "time_zone", "") or ""


@dataclass(frozen=True)
class ShownTime:
    """A moment as shown: its text in a zone, and that zone named."""

    moment: datetime.datetime
    text: str
    zone: str
    label: str

    def __str__(self) -> str:
        return f"{self.text} ({self.label})"

    def html(self) -> SafeString:
        """`<time>` with the moment in UTC for machines, the text and zone for people."""
        return format_html(
            '<time datetime="{}">{}</time> <span class="time-zone">({})</span>',
            self.moment.astimezone(datetime.UTC).isoformat(timespec="seconds"),
            self.text,
            self.label,
        )


def zone_time(
    moment: datetime.datetime,
    zone: str,
    *,
    city: object | None = None,
    yours: bool = False,
    style: str = "DATETIME_FORMAT",
) -> ShownTime:
    """`moment` in `zone` (named after `city` when it is its zone), in the active language."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    label = zone_label(zone, city=city, yours=yours)
    return ShownTime(local, date_format(local, style), zone, label)


def shown_time(
    moment: datetime.datetime,
    *,
    user: object | None = None,
    city: object | None = None,
    style: str = "DATETIME_FORMAT",
) -> ShownTime:
    """`moment` for `user`: in their zone if known, else `city`'s, else the portal's."""
    own = reader_zone(user)
    if own:
        return zone_time(moment, own, city=city, yours=True, style=style)
    if city is not None and getattr(city, "timezone", ""):
        return zone_time(moment, city.timezone, city=city, style=style)
    return zone_time(moment, settings.TIME_ZONE, style=style)


# The profile's choice of time zones


def _zone_file(name: str) -> str:
    """A file of the time zone database: zone.tab (one row per zone of each country,
    canonical names only) or tzdata.zi (its links are the aliases)."""
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:  # the tzdata package, where the system has no time zone database
        return (importlib.resources.files("tzdata.zoneinfo") / name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return ""


@functools.cache
def zone_aliases() -> dict[str, str]:
    """Each alias of the time zone database ("US/Eastern") and the zone it stands for."""
    links = {}
    for line in _zone_file("tzdata.zi").splitlines():
        if line.startswith("L "):
            _link, target, alias = line.split()[:3]
            links[alias] = target
    return links


def canonical_zone(zone: str) -> str:
    """The canonical zone of the choices for `zone` (its alias's target), else `zone`."""
    zones = canonical_zones()
    seen = set()
    while zone not in zones and zone in zone_aliases() and zone not in seen:
        seen.add(zone)
        zone = zone_aliases()[zone]
    return zone


@functools.cache
def canonical_zones() -> dict[str, str]:
    """Each canonical zone people live in (no alias, no Etc/, no legacy name): its country."""
    available = zoneinfo.available_timezones()
    zones = {}
    for line in _zone_file("zone.tab").splitlines():
        if not line or line.startswith("#"):
            continue
        country, _coordinates, zone, *_comment = line.split("\t")
        if zone in available:
            zones[zone] = country
    return zones


def _label_order(choice: tuple[str, str]) -> str:
    # "Ägypten" among the A's, not after "Zypern".
    return unicodedata.normalize("NFKD", choice[1]).encode("ascii", "ignore").decode().casefold()


def time_zone_choices() -> list[tuple[str, object]]:
    """The profile's choices: the network's cities' zones first, named by city, then the rest.

    The rest are named "Country: Place" and ordered so, in the active language.
    """
    from django_countries import countries  # noqa: PLC0415 - needs the app registry

    from cities.models import City  # noqa: PLC0415 - alliance's forms read cities, lazily

    zones = canonical_zones()
    network: dict[str, list[str]] = {}
    for city in City.objects.order_by("name"):
        if city.timezone in zones:
            network.setdefault(city.timezone, []).append(translated_value(city, "name")[0])
    cities = sorted(((zone, ", ".join(names)) for zone, names in network.items()), key=_label_order)
    others = sorted(
        (
            (zone, f"{countries.name(country) or country}: {place_of_zone(zone)}")
            for zone, country in zones.items()
            if zone not in network
        ),
        key=_label_order,
    )
    choices: list[tuple[str, object]] = []
    if cities:
        choices.append((NETWORK_CITIES, cities))
    choices.append((OTHER_ZONES, others))
    return choices


NETWORK_CITIES = gettext_lazy("Network cities")
OTHER_ZONES = gettext_lazy("Other time zones")
