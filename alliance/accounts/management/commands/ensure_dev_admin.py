import secrets

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
            "--base-url", default="http://127.0.0.1:8000", help="Where the portal is served."
        )

    def handle(self, *args, **options) -> None:
        if settings.DJANGO_ENV == "production":
            raise CommandError("ensure_dev_admin never runs in production mode.")
        password_file = settings.BASE_DIR / ".dev-admin-password"
        if not User.objects.filter(email__iexact=ADMIN_EMAIL).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(ADMIN_EMAIL, password, name="Local Admin")
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        if password_file.exists():
            password = password_file.read_text().strip()
        else:
            password = "(unknown: run `manage.py changepassword " + ADMIN_EMAIL + "`)"
        self.stdout.write(
            self.style.SUCCESS(f"Admin: {options['base_url']}/admin/")
            + f"\n  email:    {ADMIN_EMAIL}\n  password: {password}"
            + f"\n  (kept in {password_file.name}, which git ignores)"
        )
