from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cities.services import load_network


class Command(BaseCommand):
    help = (
        "Load the Start Alliance network (cities, organisations, contacts, agreements) from "
        "cities/data/network.json. Idempotent; keeps what staff edited unless --overwrite."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Restore the file's values even where staff edited them.",
        )

    def handle(self, *args, overwrite: bool = False, **options) -> None:
        try:
            report = load_network(overwrite=overwrite)
        except ValidationError as error:
            raise CommandError(f"The network file is invalid: {error}") from error
        if not report.changed:
            self.stdout.write("Network data: up to date.")
        for name, count in report.created.items():
            self.stdout.write(f"Network data: created {count} {name}.")
        for name, count in report.updated.items():
            self.stdout.write(f"Network data: updated {count} {name}.")
        for kept in report.kept:
            self.stdout.write(f"Kept staff edit ({kept}); use --overwrite to restore the file.")
