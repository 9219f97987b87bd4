"""Apply the retention rules now (as the nightly task does), or show what they would do."""

from django.core.management.base import BaseCommand
from django.db import transaction

from alliance.privacy.retention import apply_retention


class _DryRunError(Exception):
    """Raised to roll the run back: nothing is kept, not even the warnings' outbox rows."""


class Command(BaseCommand):
    help = "Apply the retention rules (drafts, closed applications, accounts, email bodies)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be done, then roll everything back.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        counts = {}
        try:
            with transaction.atomic():
                counts = apply_retention()
                if dry_run:
                    raise _DryRunError
        except _DryRunError:
            pass
        prefix = "would be: " if dry_run else ""
        for job, job_counts in counts.items():
            details = ", ".join(f"{key} {value}" for key, value in job_counts.items())
            self.stdout.write(f"{prefix}{job}: {details}")
