"""Every time a page shows, in its reader's zone and with the zone named (alliance.times).

{% moment programme.applications_close_at city=programme.host_city %}
{% moment programme.applications_close_at city=programme.host_city as deadline %}
{% moment application.decided_at style="DATE_FORMAT" %}
{% moment programme.applications_close_at city=programme.host_city in_city=True %}
{% zone_name city.timezone city=city %}
"""

import datetime

from django import template
from django.utils.safestring import SafeString

from alliance.times import shown_time, zone_label, zone_time

register = template.Library()


@register.simple_tag(takes_context=True)
def moment(
    context,
    value: datetime.datetime | None,
    *,
    city: object | None = None,
    in_city: bool = False,
    user: object | None = None,
    style: str = "DATETIME_FORMAT",
) -> SafeString | str:
    """`value` in the reader's zone (else `city`'s), or in `city`'s with `in_city`, named."""
    if not value:
        return ""
    if in_city and city is not None:
        return zone_time(value, city.timezone, city=city, style=style).html()
    return shown_time(value, user=user or context.get("user"), city=city, style=style).html()


@register.simple_tag
def zone_name(zone: str, city: object | None = None) -> str:
    """A time zone in words ("Tel Aviv time"), never its IANA name."""
    return zone_label(zone, city=city) if zone else ""
