"""Cities and partner organisations hold no personal data of the portal's users.

Registered with alliance.privacy.registry (imported by alliance/privacy/apps.py).
"""

from alliance.privacy.registry import exempt

exempt("cities.City", reason="A city's name.")
exempt("cities.PartnerOrganisation", reason="An organisation's name.")
exempt(
    "cities.Contact",
    reason="A partner organisation's contact person: not an account of the portal, kept "
    "under the cooperation agreement, never part of a user's data.",
)
