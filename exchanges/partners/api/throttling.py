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
