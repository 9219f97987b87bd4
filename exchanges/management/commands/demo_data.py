from django.core.management.base import BaseCommand, CommandError

from exchanges.demo import DemoRefusedError, make_demo_data


class Command(BaseCommand):
    help = (
        "Make clearly fictitious demo start-ups, programmes and applications (never in production)."
    )

    def handle(self, *args, **options) -> None:
        try:
            made = make_demo_data()
        except DemoRefusedError as error:
            raise CommandError(str(error)) from error
        if not made:
            self.stdout.write("Demo data: already present.")
            return
        self.stdout.write(
            "Demo data: {programmes} programmes, {startups} start-ups, "
            "{applications} applications (all fictitious).".format(**made)
        )
