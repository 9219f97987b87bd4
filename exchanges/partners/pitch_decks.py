"""Pitch decks for partners: a signed link that expires, bound to the key's organisation.

The link points at the private-file view (attachment, nosniff); the token names the file,
the application, the organisation and the expiry. The expiry is rounded up to the minute,
so the same page read twice within a minute is the same (and its ETag holds). The link
is no bearer token: it is followed with a usable key of that organisation with the `read`
scope (the `Authorization` header, as for the API), whose organisation must still see the
application; the read goes into the ledger under that key.
"""

import datetime
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils import timezone

from alliance import private_files
from alliance.api.formats import iso
from exchanges.partners import ledger
from exchanges.partners.models import ApplicationShare, PartnerApiKey, Scope

SALT = "partners.pitch-deck"


def expiry(now: datetime.datetime | None = None) -> datetime.datetime:
    """When a link made now stops working: the lifetime from now, rounded up to a minute."""
    end = (now or timezone.now()) + datetime.timedelta(
        seconds=settings.PARTNER_PITCH_DECK_LINK_SECONDS
    )
    rounded = end.replace(second=0, microsecond=0)
    return rounded if rounded == end else rounded + datetime.timedelta(minutes=1)


def link(
    name: str,
    application_id: int,
    organisation_id: int,
    absolute: Callable[[str], str],
    *,
    expires_at: datetime.datetime | None = None,
) -> dict:
    """`{"url", "expires_at"}` of the pitch deck `name` of an application, for an organisation.

    `absolute` makes the link absolute (the request's host for the API, SITE_URL for a
    webhook); a webhook's link lives as long as its event may be retried.
    """
    expires_at = expires_at or expiry()
    # A plain Signer: the claims carry their own expiry, and the same claims give the same
    # token (a TimestampSigner would change it every second, and the page's ETag with it).
    token = signing.Signer(salt=SALT).sign_object(
        {"n": name, "a": application_id, "o": organisation_id, "e": int(expires_at.timestamp())},
        compress=True,
    )
    path = private_files.private_storage().url(name)
    return {"url": absolute(f"{path}?{urlencode({'token': token})}"), "expires_at": iso(expires_at)}


def accepts(key: PartnerApiKey | None, name: str, token: str) -> bool:
    """Whether `token` is a live link to `name`, followed with `key` (the request's usable
    key, or None), of its organisation and allowed to read, which still sees the application."""
    try:
        claims = signing.Signer(salt=SALT).unsign_object(token[:2000])
    except signing.BadSignature:
        return False
    if not isinstance(claims, dict) or claims.get("n") != name:
        return False
    expires = claims.get("e")
    if not isinstance(expires, int) or expires <= timezone.now().timestamp():
        return False
    share = (
        ApplicationShare.objects.live()
        .filter(
            application_id=claims.get("a"),
            organisation_id=claims.get("o"),
            application__pitch_deck=name,
        )
        .first()
    )
    if share is None or key is None or key.organisation_id != share.organisation_id:
        return False
    if not key.has_scope(Scope.READ):
        return False
    ledger.record(key, [share.application_id], pitch_deck=True)
    return True


def connect(key_of: Callable[[HttpRequest], PartnerApiKey | None]) -> None:
    """Serve links through the private-file view; `key_of` finds the request's usable key
    (the API's authentication, handed in by the app's wiring)."""
    private_files.register_token(
        "pitch-decks/", lambda request, name, token: accepts(key_of(request), name, token)
    )
