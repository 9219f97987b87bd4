"""Request limits for the partner API: per key, so each of an organisation's keys has its own
budget (API_PARTNER_RATE) and a partner behind a shared address is not limited by others."""

from rest_framework.throttling import SimpleRateThrottle

from exchanges.partners.models import PartnerApiKey


class PartnerKeyThrottle(SimpleRateThrottle):
    scope = "partner"

    def get_cache_key(self, request, view) -> str:
        key = request.auth
        if isinstance(key, PartnerApiKey):
            ident = f"key:{key.pk}"
        else:  # the permission answers first; should a view allow no key, limit by address
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class FailedKeyThrottle(SimpleRateThrottle):
    """Wrong keys per client address (API_FAILED_KEY_RATE): past the limit, every attempt
    from that address is a 429 until the window has passed, so keys cannot be guessed
    at speed. Only failures count; a partner's own requests never do."""

    scope = "partner_failed"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def exhausted(self, request) -> bool:
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) >= self.num_requests

    def note_failure(self) -> None:
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
