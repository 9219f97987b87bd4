"""What an application must meet and who may act on it: reads only, no writes.

A leaf: the services, the queries and the views import it; it imports no services.
"""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.accounts.models import User
from alliance.errors import DomainError
from exchanges.access import may_decide
from exchanges.models import (
    TRANSITIONS,
    Application,
    ExchangeProgramme,
    ProgrammeStatus,
    State,
    Verb,
)
from startups.models import Startup
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


# Rules of a submission


def eligibility_problems(
    programme: ExchangeProgramme, startup: Startup, *, today: datetime.date
) -> list[str]:
    """Each eligibility rule of `programme` that `startup` fails, as its own message."""
    problems = []
    origins = list(programme.eligible_origin_cities.all())
    if origins and startup.city_id not in {city.pk for city in origins}:
        problems.append(
            _("The programme is open to start-ups from %(cities)s only.")
            % {"cities": ", ".join(str(city.name) for city in origins)}
        )
    if (
        programme.max_company_age_years is not None
        and startup.age_in_years(today) >= programme.max_company_age_years
    ):
        problems.append(
            _("The programme is open to companies younger than %(years)d years.")
            % {"years": programme.max_company_age_years}
        )
    if programme.allowed_stages and startup.stage not in programme.allowed_stages:
        problems.append(
            _("The programme is not open to start-ups at the %(stage)s stage.")
            % {"stage": startup.get_stage_display()}
        )
    if programme.requires_product_launched and not startup.product_launched:
        problems.append(_("The programme needs a launched product."))
    return problems


def call_problems(programme: ExchangeProgramme, *, now: datetime.datetime) -> list[str]:
    """Why the programme's call does not take applications at `now`, if it does not."""

    def shown(moment: datetime.datetime) -> str:
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")

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


def submission_problems(
    application: Application, *, now: datetime.datetime, consent: bool
) -> list[str]:
    """Everything that stops `application` from being submitted at `now`."""
    programme = application.programme
    problems = call_problems(programme, now=now)
    problems += eligibility_problems(programme, application.startup, today=now.date())
    if not application.motivation.strip():
        problems.append(_("Tell the host city why you want to take part."))
    if not application.goals.strip():
        problems.append(_("Describe your goals in the market."))
    answered = {answer.question_id for answer in application.answers.all() if answer.value.strip()}
    for question in programme.questions.filter(required=True):
        if question.pk not in answered:
            problems.append(_("Answer the question “%(question)s”.") % {"question": question.text})
    if not consent:
        problems.append(
            _("Agree to share your application with %(organisations)s.")
            % {"organisations": consent_organisations(programme)}
        )
    return problems


def consent_organisations(programme: ExchangeProgramme) -> str:
    names = [programme.host_organisation.name]
    names += [organisation.name for organisation in programme.co_organisers.all()]
    return ", ".join(names)


def consent_wording(programme: ExchangeProgramme) -> str:
    """The consent the applicant gives, in the active language, as recorded with it."""
    return _(
        "I agree that Berlin Partner für Wirtschaft und Technologie shares this application, "
        "including the pitch deck, with %(organisations)s for selecting participants of "
        "%(programme)s."
    ) % {"organisations": consent_organisations(programme), "programme": programme.title}
