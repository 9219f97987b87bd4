"""Partner keys at the API: who is asking (authentication) and what the key may do (scopes).

`request.auth` is the `PartnerApiKey` (its organisation loaded); `request.user` stays None.
A missing, malformed, wrong, revoked or expired key, or one whose organisation has no
active cooperation agreement, is a 401; a key without the endpoint's scope is a 403.
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions
from rest_framework_api_key.crypto import KeyGenerator
from rest_framework_api_key.permissions import KeyParser

from exchanges.partners.api.throttling import FailedKeyThrottle
from exchanges.partners.models import PartnerApiKey

# `last_used_at` is written at most this often per key, not on every request.
LAST_USE_INTERVAL = datetime.timedelta(minutes=1)


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    keyword = KeyParser.keyword

    def authenticate(self, request):
        raw = KeyParser().get(request)
        if raw is None:
            return None  # the permission answers 401 with the challenge below
        guard = FailedKeyThrottle()
        if guard.exhausted(request):
            raise exceptions.Throttled(wait=guard.wait())
        key = _usable_key(raw)
        if key is None:
            if is_guess(raw):
                guard.note_failure()
            raise exceptions.AuthenticationFailed(
                "The API key is wrong, revoked or expired, or its organisation has no "
                "active cooperation agreement."
            )
        _note_use(key)
        return (None, key)

    def authenticate_header(self, request) -> str:
        return self.keyword


def request_key(request) -> PartnerApiKey | None:
    """The usable key a plain Django request sends (a pitch-deck download), or None.

    Limited like the API's authentication: a wrong key counts against the address, and
    an address past its limit gets no key at all."""
    raw = KeyParser().get(request)
    if raw is None:
        return None
    guard = FailedKeyThrottle()
    if guard.exhausted(request):
        return None
    key = _usable_key(raw)
    if key is None:
        if is_guess(raw):
            guard.note_failure()
        return None
    _note_use(key)
    return key


# Compared against when the prefix is unknown, so a wrong prefix takes as long as a wrong
# secret (prefixes are not secret, but nothing should tell which exist).
_NO_KEY = KeyGenerator().hash("no-such-key.000000000000000000000000")


def _usable_key(raw: str) -> PartnerApiKey | None:
    prefix, dot, _secret = raw.partition(".")
    if not dot or not prefix or len(raw) > 200 or "\x00" in raw:
        return None
    key = PartnerApiKey.objects.usable().select_related("organisation").filter(prefix=prefix)
    key = key.first()
    if key is None:
        KeyGenerator().verify(raw, _NO_KEY)
        return None
    if not key.is_valid(raw):
        return None
    return key


def is_guess(raw: str) -> bool:
    """Whether a refused key was a guess (an unknown prefix or a wrong secret), not a real
    key that was revoked, expired or lost its agreement (a partner's forgotten job)."""
    prefix, _dot, _secret = raw.partition(".")
    known = PartnerApiKey.objects.filter(prefix=prefix[:200]).first()
    return known is None or not KeyGenerator().verify(raw, known.hashed_key)


def _note_use(key: PartnerApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USE_INTERVAL:
        return
    # Conditional, so two requests in the same minute write once; one statement either way.
    stale = now - LAST_USE_INTERVAL
    PartnerApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=key.pk
    ).update(last_used_at=now)
    key.last_used_at = now


class HasScope(permissions.BasePermission):
    """Needs a partner key (else 401) that has the view's `required_scope` (else 403)."""

    message = "This API key does not have the scope this endpoint needs."

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, PartnerApiKey):
            raise exceptions.NotAuthenticated(
                "Send an organisation's key: `Authorization: Api-Key <key>`."
            )
        return key.has_scope(view.required_scope)
