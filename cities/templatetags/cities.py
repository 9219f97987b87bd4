from urllib.parse import urlsplit

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

from alliance.i18n import language_attributes
from cities.models import City

register = template.Library()

# The content language spoken in a member city's country, for its name in the local script.
COUNTRY_LANGUAGES = {
    "AE": "ar",
    "AT": "de",
    "CN": "zh-hans",
    "DE": "de",
    "FR": "fr",
    "IL": "he",
    "PL": "pl",
}


@register.simple_tag
def local_name(city: City) -> str:
    """The city's name in its local language, when staff entered it and it differs."""
    language = COUNTRY_LANGUAGES.get(city.country)
    if language is None or language == get_language():
        return ""
    name = getattr(city, build_localized_fieldname("name", language), "")
    if not name or name == city.name:
        return ""
    return format_html("<span{}>{}</span>", language_attributes(language), name)


@register.simple_tag
def member_by(city: City, year_only: bool = False) -> str:
    """`City.member_by` as a <time> element, to the precision the source gives."""
    if not city.member_by:
        return ""
    day, precision = city.member_by_date
    precision = "year" if year_only else precision
    text = {
        "year": str(day.year),
        "month": date_format(day, "YEAR_MONTH_FORMAT"),
        "day": date_format(day, "DATE_FORMAT"),
    }[precision]
    return format_html('<time datetime="{}">{}</time>', city.member_by, text)


@register.inclusion_tag("cities/_sources.html")
def sources(item) -> dict:
    """The pages an item's facts were read from, each linked by its site's name."""
    links = [(url, urlsplit(url).hostname.removeprefix("www.")) for url in item.sources or []]
    return {"links": links}
