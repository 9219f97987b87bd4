"""A production check: the imprint needs the operator's address, contact and register."""

from django.conf import settings
from django.core import checks

REQUIRED = ("address", "email", "register")


@checks.register()
def check_operator(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn in production when OPERATOR lacks a detail the imprint (§ 5 DDG) must show."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    operator = getattr(settings, "OPERATOR", {})
    return [
        checks.Warning(
            f"OPERATOR[{key!r}] is empty: the imprint leaves it out.",
            hint=f"Set OPERATOR_{key.upper()} in the environment.",
            id="alliance.W001",
        )
        for key in REQUIRED
        if not operator.get(key)
    ]
