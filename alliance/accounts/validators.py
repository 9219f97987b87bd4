"""Checks and choices the user's fields share with other people's (contacts)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """Refuse a time zone name that the IANA database does not know."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone."), code="invalid", params={"value": value}
        )


def language_choices() -> list[tuple[str, str]]:
    """Return the UI languages as model choices."""
    return [(code, name) for code, name in settings.LANGUAGES]
