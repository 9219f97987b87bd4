from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cities.demo import make_demo_network
from exchanges.demo import STORY, demo_exists, make_demo_exchanges
from exchanges.partners.demo import DEMO_KEYS, make_demo_keys
from startups.demo import make_demo_startups


class Command(BaseCommand):
    help = (
        "Make clearly fictitious demo start-ups, programmes and applications (never in production)."
    )

    def handle(self, *args, **options) -> None:
        if settings.DJANGO_ENV == "production":
            raise CommandError("Demo data is never made in production mode.")
        with transaction.atomic():
            if demo_exists():
                self.stdout.write("Demo data: already present.")
                self._keys(DEMO_KEYS)
                return
            # Each app makes its own part: the network, then start-ups, then exchanges.
            make_demo_network()
            teams = make_demo_startups(len(STORY))
            made = make_demo_exchanges(teams)
            keys = make_demo_keys()
        self.stdout.write(
            "Demo data: {programmes} programmes, {startups} start-ups, "
            "{applications} applications (all fictitious).".format(startups=len(teams), **made)
        )
        self._keys(keys)

    def _keys(self, keys: dict[str, str]) -> None:
        self.stdout.write("Demo partner API keys (development only):")
        for slug, key in keys.items():
            self.stdout.write(f"  {slug}: Authorization: Api-Key {key}")
