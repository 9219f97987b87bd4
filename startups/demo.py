"""Clearly fictitious demo founders, their start-ups and teams (development only)."""

from django.utils import timezone

from alliance.accounts.models import User
from cities.models import City
from startups.models import Membership, Role, Sector, Stage, Startup

DEMO_PREFIX = "demo-"


def demo_user(email: str, name: str, *, is_staff: bool = False) -> User:
    """A demo user whose address counts as verified."""
    user = User.objects.create_user(email, None, name=name, is_staff=is_staff)
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


def make_demo_startups(count: int) -> list[Membership]:
    """Make `count` Berlin start-ups, each with one founder as its owner."""
    return [_team(number) for number in range(1, count + 1)]


def _team(number: int) -> Membership:
    owner = demo_user(f"demo-founder-{number}@example.com", f"Demo Founder {number} (fictitious)")
    startup = Startup.objects.create(
        name=f"Demo Start-up {number} (fictitious)",
        slug=f"{DEMO_PREFIX}startup-{number}",
        city=City.objects.get(slug="berlin"),
        country="DE",
        founded_year=2023,
        founded_month=number,
        sector=Sector.values[number % len(Sector.values)],
        stage=Stage.SEED,
        product_launched=True,
        team_size=3,
        pitch="A fictitious start-up for trying out the portal.",
    )
    return Membership.objects.create(user=owner, startup=startup, role=Role.OWNER)
