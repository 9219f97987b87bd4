"""Which partners saw a founder's applications, and the keys staff made.

Registered with alliance.privacy.registry (imported by alliance/privacy/apps.py).
"""

from alliance.privacy.registry import register
from exchanges.partners.models import ApplicationShare, DataAccess, PartnerApiKey
from exchanges.personal_data import their_applications


def _applications(user):
    return their_applications(user).values("pk")


def _shares(user):
    return ApplicationShare.objects.filter(application__in=_applications(user))


def _ledger(user):
    return DataAccess.objects.filter(application__in=_applications(user))


def _keys_made_by(user):
    return PartnerApiKey.objects.filter(created_by=user)


register(
    "partners.ApplicationShare",
    rows=_shares,
    exclude=("position",),  # the feed's cursor
    note="Which partner organisations received the user's applications, and when.",
)
register(
    "partners.DataAccess",
    rows=_ledger,
    exclude=("key",),  # which of a partner's keys read it is the partner's
    note="The data-access ledger: which partner read what of the applications, per day.",
)
register(
    "partners.PartnerApiKey",
    rows=_keys_made_by,
    fields=("name", "organisation", "created", "revoked", "expiry_date"),
    note="Partner keys the user created (staff), never their secrets.",
)
