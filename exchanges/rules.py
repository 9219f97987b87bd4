"""What an application must meet and who may act on it: reads only, no writes.

A leaf: the services, the queries and the views import it; it imports no services.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.accounts.models import User
from alliance.errors import DomainError
from alliance.times import shown_time
from exchanges.access import may_decide, may_decide_application
from exchanges.models import (
    TRANSITIONS,
    Application,
    ExchangeProgramme,
    ProgrammeStatus,
    State,
    Verb,
)
from startups.models import Membership, Startup
from startups.rules import membership_of

# What a refused verb tells its user, by verb.
REFUSED = {
    Verb.SUBMIT: gettext_lazy("Only a draft can be submitted."),
    Verb.START_REVIEW: gettext_lazy("Only a submitted application can go into review."),
    Verb.SHORTLIST: gettext_lazy(
        "Only a submitted application or one in review can be shortlisted."
    ),
    Verb.WAITLIST: gettext_lazy("This application can no longer be put on the waitlist."),
    Verb.ACCEPT: gettext_lazy("This application can no longer be accepted."),
    Verb.REJECT: gettext_lazy("This application can no longer be rejected."),
    Verb.CONFIRM: gettext_lazy("Only an accepted application can be confirmed."),
    Verb.EXPIRE: gettext_lazy("Only an accepted application can expire."),
    Verb.WITHDRAW: gettext_lazy("This application can no longer be withdrawn."),
}


# Who may act


def require_member(startup: Startup, user: User | None) -> None:
    if membership_of(startup, user) is None:
        raise DomainError("not_member", gettext_lazy("Only the start-up's team can do this."))


def confirmable(application: Application, *, now: datetime.datetime | None = None) -> bool:
    """Whether the application's acceptance can still be confirmed (by an owner)."""
    return application.state == State.ACCEPTED and application.confirm_by > (now or timezone.now())


def withdrawable(application: Application) -> bool:
    """Whether the application's state allows a withdrawal (by an owner)."""
    return application.state in TRANSITIONS[Verb.WITHDRAW].sources


def require_decider(user: User | None, programme: ExchangeProgramme) -> None:
    """Staff who may decide on `programme`'s applications: its managers, administrators."""
    if not may_decide(user, programme):
        raise DomainError(
            "not_staff",
            gettext_lazy("Only the programme's managers at Berlin Partner can do this."),
        )


def require_application_decider(user: User | None, application: Application) -> None:
    """A decider of `application`'s programme who is not one of its start-up's team."""
    if may_decide_application(user, application):
        return
    require_decider(user, application.programme)
    raise DomainError(
        "conflict_of_interest",
        _("You belong to %(startup)s: another manager of the programme decides on it.")
        % {"startup": application.startup.name},
    )


def require_no_team_conflict(user: User, applications: list[Application]) -> None:
    """Refuse a decision on many applications if `user` belongs to one of their start-ups."""
    startups = {application.startup_id for application in applications}
    names = sorted(
        Membership.objects.filter(user=user, startup_id__in=startups).values_list(
            "startup__name", flat=True
        )
    )
    if names:
        raise DomainError(
            "conflict_of_interest",
            _(
                "You belong to %(startups)s, whose application is staged: another manager "
                "of the programme announces these decisions."
            )
            % {"startups": ", ".join(names)},
        )


# Rules of a submission


@dataclass(frozen=True)
class EligibilityResult:
    """One eligibility rule of a programme, checked for one start-up."""

    rule: str  # what the rule asks, e.g. "Company younger than 5 years"
    passed: bool
    problem: str  # what the start-up is told when it fails ("" when passed)


def eligibility_results(
    programme: ExchangeProgramme, startup: Startup, *, today: datetime.date
) -> list[EligibilityResult]:
    """Each eligibility rule `programme` sets, checked for `startup`, in a stable order."""
    results = []
    origins = list(programme.eligible_origin_cities.all())
    if origins:
        cities = ", ".join(str(city.name) for city in origins)
        results.append(
            EligibilityResult(
                _("From %(cities)s") % {"cities": cities},
                startup.city_id in {city.pk for city in origins},
                _("The programme is open to start-ups from %(cities)s only.") % {"cities": cities},
            )
        )
    if programme.max_company_age_years is not None:
        years = {"years": programme.max_company_age_years}
        results.append(
            EligibilityResult(
                _("Company younger than %(years)d years") % years,
                startup.age_in_years(today) < programme.max_company_age_years,
                _("The programme is open to companies younger than %(years)d years.") % years,
            )
        )
    if programme.allowed_stages:
        stages = ", ".join(str(stage.label) for stage in programme.stages_in_order())
        results.append(
            EligibilityResult(
                _("Stage: %(stages)s") % {"stages": stages},
                startup.stage in programme.allowed_stages,
                _("The programme is not open to start-ups at the %(stage)s stage.")
                % {"stage": startup.get_stage_display()},
            )
        )
    if programme.sectors:
        sectors = ", ".join(str(sector.label) for sector in programme.sectors_in_order())
        results.append(
            EligibilityResult(
                _("Sector: %(sectors)s") % {"sectors": sectors},
                startup.sector in programme.sectors,
                _("The programme is open to start-ups in %(sectors)s only.") % {"sectors": sectors},
            )
        )
    if programme.requires_product_launched:
        results.append(
            EligibilityResult(
                _("Product launched"),
                startup.product_launched,
                _("The programme needs a launched product."),
            )
        )
    return [
        result if not result.passed else EligibilityResult(result.rule, True, "")
        for result in results
    ]


def eligibility_problems(
    programme: ExchangeProgramme, startup: Startup, *, today: datetime.date
) -> list[str]:
    """Each eligibility rule of `programme` that `startup` fails, as its own message."""
    return [
        result.problem
        for result in eligibility_results(programme, startup, today=today)
        if not result.passed
    ]


def call_problems(programme: ExchangeProgramme, *, now: datetime.datetime) -> list[str]:
    """Why the programme's call does not take applications at `now`, if it does not."""

    def shown(moment: datetime.datetime) -> str:
        return str(shown_time(moment, city=programme.host_city))

    if programme.status != ProgrammeStatus.PUBLISHED:
        return [_("The programme is not open for applications.")]
    if now < programme.applications_open_at:
        return [
            _("The call for applications opens on %(date)s.")
            % {"date": shown(programme.applications_open_at)}
        ]
    if now >= programme.applications_close_at:
        return [
            _("The call for applications closed on %(date)s.")
            % {"date": shown(programme.applications_close_at)}
        ]
    return []


@dataclass(frozen=True)
class Problem:
    """One reason a submission is refused, and the form field it concerns ("" for none)."""

    field: str
    message: str


class SubmissionRefusedError(DomainError):
    """A refused submission that also knows which field each reason belongs to."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("not_submittable", [problem.message for problem in problems])


def content_problems(application: Application) -> list[Problem]:
    """What the application itself still lacks: texts, pitch deck, required answers."""
    programme = application.programme
    problems = []
    if not application.motivation.strip():
        problems.append(Problem("motivation", _("Tell the host city why you want to take part.")))
    if not application.goals.strip():
        problems.append(Problem("goals", _("Describe your goals in the market.")))
    if programme.requires_pitch_deck and not application.pitch_deck:
        problems.append(
            Problem("pitch_deck", _("Upload your pitch deck (a PDF): this programme needs one."))
        )
    answered = {answer.question_id for answer in application.answers.all() if answer.value.strip()}
    problems.extend(
        Problem(
            f"question_{question.pk}",
            _("Answer the question “%(question)s”.") % {"question": question.text},
        )
        for question in programme.questions.filter(required=True).order_by("position", "pk")
        if question.pk not in answered
    )
    return problems


def submission_field_problems(
    application: Application, *, now: datetime.datetime, consent: bool
) -> list[Problem]:
    """Everything that stops `application` from being submitted at `now`, by field."""
    programme = application.programme
    problems = [Problem("", message) for message in call_problems(programme, now=now)]
    problems += [
        Problem("", message)
        for message in eligibility_problems(programme, application.startup, today=now.date())
    ]
    problems += content_problems(application)
    if not consent:
        organisations = consent_organisations(programme)
        problems.append(
            Problem(
                "consent",
                _("Agree to share your application with %(organisations)s.")
                % {"organisations": organisations}
                if organisations
                else _("Agree to the use of your application for selecting participants."),
            )
        )
    return problems


def submission_problems(
    application: Application, *, now: datetime.datetime, consent: bool
) -> list[str]:
    """Everything that stops `application` from being submitted at `now`."""
    return [
        problem.message
        for problem in submission_field_problems(application, now=now, consent=consent)
    ]


def consent_organisations(programme: ExchangeProgramme) -> str:
    """The organisations Berlin Partner shares the application with: not itself."""
    organisations = [programme.host_organisation, *programme.co_organisers.all()]
    return ", ".join(
        organisation.name for organisation in organisations if not organisation.is_hub_operator
    )


def consent_wording(programme: ExchangeProgramme) -> str:
    """The consent the applicant gives, in the active language, as recorded with it."""
    organisations = consent_organisations(programme)
    if not organisations:  # Berlin Partner hosts alone: it shares with nobody
        return _(
            "I agree that Berlin Partner für Wirtschaft und Technologie uses this application, "
            "including the pitch deck, for selecting participants of %(programme)s."
        ) % {"programme": programme.title}
    return _(
        "I agree that Berlin Partner für Wirtschaft und Technologie shares this application, "
        "including the pitch deck, with %(organisations)s for selecting participants of "
        "%(programme)s."
    ) % {"organisations": organisations, "programme": programme.title}
