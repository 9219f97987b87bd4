"""Clearly fictitious demo programmes and applications, made through the services.

Development only; the network and the start-ups come from `cities.demo` and
`startups.demo`, and the `demo_data` command makes the three in order.
"""

import datetime
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from pypdf import PdfWriter

from alliance.accounts.models import User
from alliance.accounts.roles import PROGRAMME_MANAGER, REVIEWER, assign_role
from cities.models import City, PartnerOrganisation
from exchanges import services
from exchanges.models import Application, ExchangeProgramme, ProgrammeFormat, ProgrammeStatus, State
from startups.demo import DEMO_PREFIX, demo_user
from startups.models import Membership, Stage

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


def demo_exists() -> bool:
    return ExchangeProgramme.objects.filter(slug__startswith=DEMO_PREFIX).exists()


def make_demo_exchanges(teams: list[Membership]) -> dict[str, int]:
    """Make demo programmes and one application per team, together in every state.

    `teams` are the owners' memberships of `startups.demo`; there is one per `STORY` step.
    """
    now = timezone.now()
    # Staff by role: the manager decides on every demo programme, the reviewer reviews
    # the open call's applications only.
    staff = assign_role(
        demo_user("demo-manager@example.com", "Demo Programme Manager (fictitious)"),
        PROGRAMME_MANAGER,
    )
    reviewer = assign_role(
        demo_user("demo-reviewer@example.com", "Demo Reviewer (fictitious)"), REVIEWER
    )
    programmes = {
        "open": _programme(
            "demo-tel-aviv-exchange",
            "Demo: Tel Aviv Exchange (fictitious)",
            "Demo: Austausch Tel Aviv (fiktiv)",
            city="tel-aviv",
            host="tel-aviv-global",
            description_en=(
                "Modelled on the Start Alliance's Tel Aviv exchange: free co-working, visa "
                "support, mentors, investor contacts and help finding accommodation, for a "
                "ten-day stay won in a competition. The first five Israeli start-ups came to "
                "Berlin through it in spring 2016. This call, its dates and seats are made up."
            ),
            description_de=(
                "Nach dem Vorbild des Tel-Aviv-Austauschs der Start Alliance: kostenloses "
                "Co-Working, Unterstützung beim Visum, Mentoring, Kontakte zu Investoren und "
                "Hilfe bei der Wohnungssuche, für einen zehntägigen Aufenthalt, der in einem "
                "Wettbewerb vergeben wird. Über ihn kamen im Frühjahr 2016 die ersten fünf "
                "israelischen Start-ups nach Berlin. Diese Ausschreibung, ihre Termine und "
                "Plätze sind erfunden."
            ),
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
            description_en=(
                "A bootcamp hosted by Wirtschaftsagentur Wien, the Start Alliance's partner in "
                "Vienna since 22 November 2017. Like the network's exchanges, it is for young "
                "companies with a finished product that can show real market interest. This "
                "call, its dates and seats are made up."
            ),
            description_de=(
                "Ein Bootcamp der Wirtschaftsagentur Wien, seit dem 22. November 2017 Partnerin "
                "der Start Alliance in Wien. Wie die Austauschprogramme des Netzwerks richtet es "
                "sich an junge Unternehmen mit einem fertigen Produkt, die echtes Interesse am "
                "Markt nachweisen können. Diese Ausschreibung, ihre Termine und Plätze sind "
                "erfunden."
            ),
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
            description_en=(
                "Modelled on the Start Alliance's delegation trips, organised by Berlin Partner: "
                "about one week, 9 to 13 start-ups, a conference and investor meetings. Hosted "
                "by DUBAI SME, the network's partner in Dubai since 2018. This trip, its dates "
                "and seats are made up."
            ),
            description_de=(
                "Nach dem Vorbild der Delegationsreisen der Start Alliance, die Berlin Partner "
                "organisiert: etwa eine Woche, 9 bis 13 Start-ups, eine Konferenz und Treffen "
                "mit Investoren. Gastgeber ist DUBAI SME, seit 2018 Partner des Netzwerks in "
                "Dubai. Diese Reise, ihre Termine und Plätze sind erfunden."
            ),
            opens=now - datetime.timedelta(days=40),
            closes=now + datetime.timedelta(days=1),  # closed below, after the applications
            seats=3,
            format=ProgrammeFormat.DELEGATION,
            automatic_backfill=False,
        ),
    }
    for programme in programmes.values():
        programme.managers.add(staff)
    programmes["open"].reviewers.add(reviewer)
    closed = programmes["closed"]
    applications = [
        _application(closed, team, state, staff=staff)
        for team, state in zip(teams, STORY, strict=True)
    ]
    # The open call is co-organised by Berlin Partner, which nominates Berlin start-ups; a
    # few teams have applied to it too, so two partners' views can be tried side by side.
    open_call = programmes["open"]
    open_call.co_organisers.add(PartnerOrganisation.objects.get(slug="berlin-partner"))
    applications += [
        _application(open_call, team, state, staff=staff)
        for team, state in zip(
            teams, [State.SUBMITTED, State.IN_REVIEW, State.SHORTLISTED, State.DRAFT], strict=False
        )
    ]
    closed.applications_close_at = now - datetime.timedelta(days=5)
    closed.save(update_fields=["applications_close_at"])
    return {"programmes": len(programmes), "applications": len(applications)}


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
        allowed_stages=[Stage.PRE_SEED, Stage.SEED, Stage.SERIES_A],
        **fields,
    )


def _application(programme, team: Membership, state: State, *, staff: User) -> Application:
    owner, startup = team.user, team.startup
    application = services.start_application(programme, startup=startup, by=owner)
    application.motivation = "We want to test the market in the host city (demo)."
    application.goals = "Meet ten potential customers (demo)."
    application.pitch_deck.save("demo-deck.pdf", ContentFile(_demo_deck()), save=False)
    application.pitch_deck_filename = f"{slugify(startup.name)}-pitch-deck.pdf"
    application.save(update_fields=["motivation", "goals", "pitch_deck", "pitch_deck_filename"])
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


def _demo_deck() -> bytes:
    """A one-page blank PDF: the demo's pitch deck."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _pass_deadline(application: Application) -> None:
    """Let the demo acceptance's confirmation deadline pass."""
    application.confirm_by = timezone.now() - datetime.timedelta(hours=1)
    application.save(update_fields=["confirm_by"])
