import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alliance.accounts.models import User

ADMIN_EMAIL = "admin@startalliance.localhost"


class Command(BaseCommand):
    help = (
        "Create the local staff account on first run and print how to log in (not in production)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url", default="", help="Where the portal is served (default: SITE_URL)."
        )
        parser.add_argument(
            "--password-file",
            default="",
            help="Where the password is kept (default: .dev-admin-password in the project).",
        )

    def handle(self, *args, **options) -> None:
        if settings.DJANGO_ENV == "production":
            raise CommandError("ensure_dev_admin never runs in production mode.")
        password_file = Path(options["password_file"] or settings.BASE_DIR / ".dev-admin-password")
        if not User.objects.filter(email__iexact=ADMIN_EMAIL).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(ADMIN_EMAIL, password, name="Local Admin")
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        if password_file.exists():
            password = password_file.read_text().strip()
            ignored = "" if options["password_file"] else ", which git ignores"
            kept = f"  (kept in {password_file.name}{ignored})"
        else:
            password, kept = f"unknown: run `manage.py changepassword {ADMIN_EMAIL}`", ""
        base_url = (options["base_url"] or settings.SITE_URL).rstrip("/")
        # Last, where it is seen: the address and the staff login.
        self.stdout.write(
            self.style.SUCCESS(f"Portal: {base_url}/")
            + f"\nStaff login: {base_url}/admin/"
            + f"\n  email:    {ADMIN_EMAIL}"
            + f"\n  password: {password}{kept}"
        )
