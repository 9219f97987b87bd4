"""Reads that depend on who asks: public programmes, a user's start-ups' applications."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cities.models import City, PartnerOrganisation
from exchanges.models import Application, ExchangeProgramme
from exchanges.rules import confirmable, eligibility_problems, withdrawable
from startups.models import Startup
from startups.rules import is_owner


def public_programmes() -> QuerySet[ExchangeProgramme]:
    """Published programmes with everything their list entry shows."""
    return ExchangeProgramme.objects.published().select_related("host_city", "host_organisation")


def filter_programmes(
    programmes: QuerySet[ExchangeProgramme],
    *,
    city: City | None = None,
    sector: str = "",
    open_now: bool = False,
) -> QuerySet[ExchangeProgramme]:
    """Narrow `programmes` by host city, sector (a programme open to all sectors matches)."""
    if city is not None:
        programmes = programmes.filter(host_city=city)
    if sector:
        # JSON text search works on SQLite and PostgreSQL alike; values are quoted keys.
        programmes = programmes.filter(Q(sectors=[]) | Q(sectors__icontains=f'"{sector}"'))
    if open_now:
        programmes = programmes.open_now()
    return programmes


def programme_detail() -> QuerySet[ExchangeProgramme]:
    """Published programmes with their organisers and eligibility rules loaded."""
    return public_programmes().prefetch_related(
        Prefetch("co_organisers", queryset=PartnerOrganisation.objects.select_related("city")),
        "eligible_origin_cities",
    )


def apply_options(programme: ExchangeProgramme, user) -> list[dict]:
    """The user's start-ups, each with the rules it fails and its application, if any."""
    if not user.is_authenticated:
        return []
    startups = list(Startup.objects.of_user(user).select_related("city"))
    existing = {
        application.startup_id: application
        for application in Application.objects.filter(programme=programme, startup__in=startups)
    }
    today = timezone.localdate()
    return [
        {
            "startup": startup,
            "problems": eligibility_problems(programme, startup, today=today),
            "application": existing.get(startup.pk),
        }
        for startup in startups
    ]


def team_applications(user) -> QuerySet[Application]:
    """Applications of the start-ups `user` is in: the only ones their pages may show."""
    return Application.objects.filter(startup__memberships__user=user).select_related(
        "programme__host_city", "programme__host_organisation", "startup"
    )


def owner_actions(application: Application, user) -> dict[str, bool]:
    """What `user` may do on the application's page, from one read of their membership."""
    owner = is_owner(application.startup, user)
    return {
        "is_owner": owner,
        "can_confirm": owner and confirmable(application),
        "can_withdraw": owner and withdrawable(application),
    }
