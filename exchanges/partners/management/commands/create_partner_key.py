"""`manage.py create_partner_key <organisation-slug> --scopes read,recommend`: a new key,
printed once as stdout's last line (only its hash is stored)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cities.models import PartnerOrganisation
from exchanges.partners.models import PartnerApiKey, Scope


def _positive(raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days < 1:
        raise CommandError(f"--expires-in-days must be a whole number of days from 1, not {raw!r}.")
    return days


class Command(BaseCommand):
    help = "Create a partner API key for an organisation and print it once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("organisation", help="The organisation's slug.")
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"Comma-separated, from: {', '.join(Scope.values)}.",
        )
        parser.add_argument("--expires-in-days", type=str, default=None, metavar="N")
        parser.add_argument("--name", default=None, help="Who uses the key (default: the date).")

    def handle(self, *args, organisation: str, scopes: str, **options) -> None:
        found = PartnerOrganisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(f"No organisation has the slug {organisation!r}.")
        chosen = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        unknown = sorted(set(chosen) - set(Scope.values))
        if unknown or not chosen:
            raise CommandError(
                f"Unknown scope(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
                f"choose from: {', '.join(Scope.values)}."
            )
        expires_at = None
        if options["expires_in_days"] is not None:
            days = _positive(options["expires_in_days"])
            expires_at = timezone.now() + datetime.timedelta(days=days)
        name = options["name"] or f"Created {timezone.localdate().isoformat()}"
        if len(name) > 50:
            raise CommandError("--name may be at most 50 characters.")

        key, secret = PartnerApiKey.objects.create_key(
            organisation=found,
            name=name,
            scopes=[scope for scope in Scope.values if scope in chosen],
            expiry_date=expires_at,
        )
        if not PartnerApiKey.objects.usable().filter(pk=key.pk).exists():
            self.stderr.write(
                f"Warning: {found} has no active cooperation agreement, so the key will not "
                "work until it has one."
            )
        until = expires_at.isoformat(timespec="seconds") if expires_at else "no expiry"
        self.stdout.write(
            f"Key {key.prefix}… for {found} ({', '.join(key.scopes)}; {until}). "
            "It is shown only now; store it safely:"
        )
        self.stdout.write(secret)
