"""Values as the API writes them."""

import datetime


def iso(value: datetime.datetime | None) -> str | None:
    """A time as the API gives it: UTC, ISO 8601, `Z` (as DRF's DateTimeField does)."""
    if value is None:
        return None
    text = value.astimezone(datetime.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
