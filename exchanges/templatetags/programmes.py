"""Programmes shown on other apps' pages (a city's), so those apps need not import exchanges."""

from django import template
from django.db.models import QuerySet

from exchanges.models import ExchangeProgramme, ProgrammeStatus

register = template.Library()


@register.simple_tag
def published_programmes_of(city) -> QuerySet[ExchangeProgramme]:
    """The published programmes `city` hosts, soonest deadline first."""
    return ExchangeProgramme.objects.filter(
        host_city=city, status=ProgrammeStatus.PUBLISHED
    ).order_by("applications_close_at")
