"""Demo partner keys with well-known secrets, so the partner API can be tried at once
(development only: `demo_data` refuses to run in production mode)."""

from rest_framework_api_key.crypto import KeyGenerator

from cities.models import PartnerOrganisation
from exchanges.partners.models import PartnerApiKey, Scope

# organisation slug → the demo key (prefix.secret); printed by `demo_data`, in the README.
DEMO_KEYS = {
    "tel-aviv-global": "demotlv1.TelAvivGlobalDemoKeyNotSecret01",
    "dubai-sme": "demodxb1.DubaiSmeDemoKeyNotSecretAtAll001",
    "berlin-partner": "demober1.BerlinPartnerDemoKeyNotSecret001",
}


def make_demo_keys() -> dict[str, str]:
    """A key with every scope for each demo organisation; returns slug → key."""
    for slug, key in DEMO_KEYS.items():
        prefix = key.split(".", 1)[0]
        hashed = KeyGenerator().hash(key)
        PartnerApiKey.objects.create(
            prefix=prefix,
            hashed_key=hashed,
            name="Demo key (well-known, development only)",
            organisation=PartnerOrganisation.objects.get(slug=slug),
            scopes=list(Scope.values),
        )
    return dict(DEMO_KEYS)
