"""Clearly fictitious demo data, made through the service functions (development only)."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from alliance.models import User
from cities.models import City, PartnerOrganisation
from cities.services import load_network
from exchanges import services
from exchanges.models import Application, ExchangeProgramme, ProgrammeFormat, ProgrammeStatus, State
from startups.models import Membership, Role, Sector, Stage, Startup

DEMO_PREFIX = "demo-"
# Where each demo application ends: every state of the machine. The expiry comes before
# the waitlist, so that its freed seat is not backfilled.
STORY = [
    State.DRAFT,
    State.SUBMITTED,
    State.IN_REVIEW,
    State.SHORTLISTED,
    State.ACCEPTED,
    State.REJECTED,
    State.CONFIRMED,
    State.EXPIRED,
    State.WAITLISTED,
    State.WITHDRAWN,
]


class DemoRefusedError(Exception):
    """Demo data is never made in production mode."""


def demo_exists() -> bool:
    return ExchangeProgramme.objects.filter(slug__startswith=DEMO_PREFIX).exists()


@transaction.atomic
def make_demo_data() -> dict[str, int]:
    """Make demo users, start-ups, programmes and applications in every state."""
    if settings.DJANGO_ENV == "production":
        raise DemoRefusedError("Demo data is never made in production mode.")
    if demo_exists():
        return {}
    if not City.objects.filter(slug="tel-aviv").exists():
        load_network()
    now = timezone.now()
    staff = _user("demo-staff@example.com", "Demo Staff (fictitious)", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_application"))
    programmes = {
        "open": _programme(
            "demo-tel-aviv-exchange",
            "Demo: Tel Aviv Exchange (fictitious)",
            "Demo: Austausch Tel Aviv (fiktiv)",
            city="tel-aviv",
            host="tel-aviv-global",
            opens=now - datetime.timedelta(days=10),
            closes=now + datetime.timedelta(days=20),
            seats=3,
        ),
        "closing": _programme(
            "demo-vienna-bootcamp",
            "Demo: Vienna Bootcamp (fictitious)",
            "Demo: Bootcamp Wien (fiktiv)",
            city="vienna",
            host="wirtschaftsagentur-wien",
            opens=now - datetime.timedelta(days=30),
            closes=now + datetime.timedelta(days=2),
            seats=2,
            format=ProgrammeFormat.BOOTCAMP,
        ),
        "closed": _programme(
            "demo-dubai-delegation",
            "Demo: Delegation trip to Dubai (fictitious)",
            "Demo: Delegationsreise nach Dubai (fiktiv)",
            city="dubai",
            host="dubai-sme",
            opens=now - datetime.timedelta(days=40),
            closes=now + datetime.timedelta(days=1),  # closed below, after the applications
            seats=3,
            format=ProgrammeFormat.DELEGATION,
            automatic_backfill=False,
        ),
    }
    closed = programmes["closed"]
    applications = [
        _application(closed, number, state, staff=staff) for number, state in enumerate(STORY, 1)
    ]
    closed.applications_close_at = now - datetime.timedelta(days=5)
    closed.save(update_fields=["applications_close_at"])
    return {
        "programmes": len(programmes),
        "applications": len(applications),
        "startups": Startup.objects.filter(slug__startswith=DEMO_PREFIX).count(),
    }


def _user(email: str, name: str, *, is_staff: bool = False) -> User:
    user = User.objects.create_user(email, None, name=name, is_staff=is_staff)
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


def _programme(slug, title_en, title_de, *, city, host, opens, closes, seats, **fields):
    today = timezone.localdate()
    return ExchangeProgramme.objects.create(
        slug=slug,
        title_en=title_en,
        title_de=title_de,
        summary_en="A fictitious programme to try the portal with.",
        summary_de="Ein fiktives Programm, um das Portal auszuprobieren.",
        benefits_en="Co-working desk\nMentors\nInvestor meetings",
        benefits_de="Co-Working-Platz\nMentoring\nTreffen mit Investoren",
        host_city=City.objects.get(slug=city),
        host_organisation=PartnerOrganisation.objects.get(slug=host),
        format=fields.pop("format", ProgrammeFormat.RESIDENCY),
        starts_on=today + datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=69),
        applications_open_at=opens,
        applications_close_at=closes,
        seats=seats,
        status=ProgrammeStatus.PUBLISHED,
        sectors=[],
        allowed_stages=[Stage.SEED, Stage.SERIES_A, Stage.PRE_SEED],
        **fields,
    )


def _application(programme, number: int, state: State, *, staff: User) -> Application:
    owner = _user(f"demo-founder-{number}@example.com", f"Demo Founder {number} (fictitious)")
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
    Membership.objects.create(user=owner, startup=startup, role=Role.OWNER)
    application = services.start_application(programme, startup=startup, by=owner)
    application.motivation = "We want to test the market in the host city (demo)."
    application.goals = "Meet ten potential customers (demo)."
    application.save(update_fields=["motivation", "goals"])
    if state == State.DRAFT:
        return application
    services.submit_application(application, by=owner, consent=True)
    steps = {
        State.IN_REVIEW: [lambda: services.start_review(application, by=staff)],
        State.SHORTLISTED: [lambda: services.shortlist_application(application, by=staff)],
        State.WAITLISTED: [lambda: services.waitlist_application(application, by=staff)],
        State.ACCEPTED: [lambda: services.accept_application(application, by=staff)],
        State.REJECTED: [lambda: services.reject_application(application, by=staff)],
        State.CONFIRMED: [
            lambda: services.accept_application(application, by=staff),
            lambda: services.confirm_application(application, by=owner),
        ],
        State.EXPIRED: [
            lambda: services.accept_application(application, by=staff),
            lambda: _pass_deadline(application),
            lambda: services.expire_application(application),
        ],
        State.WITHDRAWN: [lambda: services.withdraw_application(application, by=owner)],
    }
    for step in steps.get(state, []):
        step()
    return application


def _pass_deadline(application: Application) -> None:
    """Let the demo acceptance's confirmation deadline pass."""
    application.confirm_by = timezone.now() - datetime.timedelta(hours=1)
    application.save(update_fields=["confirm_by"])
