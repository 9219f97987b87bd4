from django import template
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
