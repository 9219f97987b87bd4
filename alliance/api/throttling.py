"""Request limits: per client address for the public API (the address the last of our
NUM_PROXIES proxies saw, which a client cannot forge)."""

from rest_framework.throttling import SimpleRateThrottle


class ClientAddressThrottle(SimpleRateThrottle):
    scope = "public"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
