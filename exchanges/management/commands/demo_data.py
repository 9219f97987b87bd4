from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from alliance import dispatch
from alliance.mail.models import EmailMessage
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
        # The demo's emails stay queued in the outbox (the admin shows them) instead of
        # being sent: in development that would print each one in full to the console.
        with dispatch.held(), transaction.atomic():
            if demo_exists():
                self.stdout.write("Demo data: already present.")
                self._keys(DEMO_KEYS)
                return
            emails_before = EmailMessage.objects.count()
            # Each app makes its own part: the network, then start-ups, then exchanges.
            make_demo_network()
            teams = make_demo_startups(len(STORY))
            made = make_demo_exchanges(teams)
            keys = make_demo_keys()
            emails = EmailMessage.objects.count() - emails_before
        self.stdout.write(
            "Demo data: {programmes} programmes, {startups} start-ups, {applications} "
            "applications (all fictitious); {emails} emails kept in the outbox.".format(
                startups=len(teams), emails=emails, **made
            )
        )
        self._keys(keys)

    def _keys(self, keys: dict[str, str]) -> None:
        self.stdout.write("Demo partner API keys (development only):")
        for slug, key in keys.items():
            self.stdout.write(f"  {slug}: Authorization: Api-Key {key}")
