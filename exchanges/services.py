"""Every change of an application's state: one function per verb, one private mover.

Views, the admin, the API and periodic tasks all call these; each checks its actor and
the state, enforces the programme's rules, records history and queues its emails in
the same transaction.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.emails import queue_email, staff_inbox
from alliance.errors import DomainError
from alliance.i18n import translated_value
from alliance.models import User
from exchanges import emails
from exchanges.models import (
    SEAT_STATES,
    STAGEABLE,
    TRANSITIONS,
    Actor,
    Answer,
    Application,
    ApplicationEvent,
    ExchangeProgramme,
    ProgrammeStatus,
    State,
    Verb,
)
from startups.models import Startup
from startups.services import is_owner, membership_of

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
DECISION_EMAILS = {
    Verb.SHORTLIST: "exchanges/email/application_shortlisted",
    Verb.WAITLIST: "exchanges/email/application_waitlisted",
    Verb.ACCEPT: "exchanges/email/application_accepted",
    Verb.REJECT: "exchanges/email/application_rejected",
}


# Who may act


def require_owner(startup: Startup, user: User | None) -> None:
    if not is_owner(startup, user):
        raise DomainError(
            "not_owner", _("Only an owner of %(startup)s can do this.") % {"startup": startup.name}
        )


def require_member(startup: Startup, user: User | None) -> None:
    if membership_of(startup, user) is None:
        raise DomainError("not_member", gettext_lazy("Only the start-up's team can do this."))


def may_confirm(application: Application, user: User | None) -> bool:
    """Whether `user` can confirm the acceptance now (an owner, before the deadline)."""
    return (
        application.state == State.ACCEPTED
        and application.confirm_by > timezone.now()
        and is_owner(application.startup, user)
    )


def may_withdraw(application: Application, user: User | None) -> bool:
    """Whether `user` can withdraw the application in its state (an owner)."""
    return application.state in TRANSITIONS[Verb.WITHDRAW].sources and is_owner(
        application.startup, user
    )


def require_staff(user: User | None) -> None:
    """Staff who may change applications (superusers, or the permission given in the admin)."""
    if not (
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("exchanges.change_application")
    ):
        raise DomainError("not_staff", gettext_lazy("Only Berlin Partner staff can do this."))


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


# Drafts


@transaction.atomic
def start_application(programme: ExchangeProgramme, *, startup: Startup, by: User) -> Application:
    """Create a draft application of `startup` to `programme`."""
    require_member(startup, by)
    problems = call_problems(programme, now=timezone.now())
    if problems:
        raise DomainError("call_closed", problems)
    already = DomainError(
        "already_applied", gettext_lazy("This start-up has already applied to this programme.")
    )
    if Application.objects.filter(programme=programme, startup=startup).exists():
        raise already
    try:
        with transaction.atomic():  # two clicks at once: the database keeps one
            return Application.objects.create(programme=programme, startup=startup, created_by=by)
    except IntegrityError as error:
        raise already from error


DRAFT_FIELDS = ("motivation", "goals", "needs", "pitch_deck")


@transaction.atomic
def update_draft(
    application: Application, *, by: User, fields: dict, answers: dict[int, str]
) -> Application:
    """Save a draft's texts, needs, pitch deck and answers; only the team edits drafts."""
    require_member(application.startup, by)
    locked = _lock(application)
    if locked.state != State.DRAFT:
        raise DomainError("not_draft", gettext_lazy("Only a draft can be changed."))
    old_deck = locked.pitch_deck.name
    changed = [name for name in DRAFT_FIELDS if name in fields]
    for name in changed:
        # A cleared file input arrives as False: no pitch deck.
        setattr(locked, name, fields[name] if fields[name] is not False else None)
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*changed, "updated_at"])
    if old_deck and old_deck != locked.pitch_deck.name:
        _delete_file_on_commit(locked.pitch_deck.storage, old_deck)
    questions = set(locked.programme.questions.values_list("pk", flat=True))
    Answer.objects.bulk_create(
        [
            Answer(application=locked, question_id=question_id, value=value)
            for question_id, value in answers.items()
            if question_id in questions
        ],
        update_conflicts=True,
        unique_fields=["application", "question"],
        update_fields=["value"],
    )
    return _refresh(application, locked)


def _delete_file_on_commit(storage, name: str) -> None:
    """Remove a replaced or deleted upload once the change is committed: no orphans."""
    transaction.on_commit(lambda: storage.delete(name), robust=True)


@transaction.atomic
def delete_draft(application: Application, *, by: User) -> None:
    """Delete a draft (a submitted application is withdrawn, not deleted)."""
    require_member(application.startup, by)
    locked = _lock(application)
    if locked.state != State.DRAFT:
        raise DomainError("not_draft", gettext_lazy("Only a draft can be deleted."))
    if locked.pitch_deck:
        _delete_file_on_commit(locked.pitch_deck.storage, locked.pitch_deck.name)
    locked.delete()


# The verbs


@transaction.atomic
def submit_application(application: Application, *, by: User, consent: bool) -> Application:
    """Submit a draft once its team, the deadline and the programme's rules allow it."""
    require_owner(application.startup, by)
    if by.email_verified_at is None:
        raise DomainError(
            "email_not_verified",
            gettext_lazy("Confirm your email address before you submit: follow the link we sent."),
        )
    requested_at = timezone.now()
    locked = _lock(application)
    now = timezone.now()  # after the lock: what is recorded is when it happened
    if locked.state != State.DRAFT:
        raise DomainError("state_conflict", REFUSED[Verb.SUBMIT])
    problems = submission_problems(locked, now=_deadline_time(requested_at, now), consent=consent)
    if problems:
        raise DomainError("not_submittable", problems)
    _move(
        locked,
        verb=Verb.SUBMIT,
        by=by,
        actor=Actor.OWNER,
        now=now,
        submitted_at=now,
        consent_at=now,
        consent_text=consent_wording(locked.programme),
    )
    emails.notify_team(locked, "exchanges/email/application_submitted")
    return _refresh(application, locked)


@transaction.atomic
def start_review(application: Application, *, by: User, comment: str = "") -> Application:
    """Mark a submitted application as being reviewed by staff."""
    require_staff(by)
    locked = _move(
        _lock(application), verb=Verb.START_REVIEW, by=by, actor=Actor.STAFF, comment=comment
    )
    return _refresh(application, locked)


@transaction.atomic
def shortlist_application(application: Application, *, by: User, comment: str = "") -> Application:
    """Shortlist an application and tell the team."""
    require_staff(by)
    return _refresh(
        application, _decide(_lock(application), Verb.SHORTLIST, by=by, comment=comment)
    )


@transaction.atomic
def waitlist_application(
    application: Application, *, by: User, rank: int | None = None, comment: str = ""
) -> Application:
    """Put an application on the waitlist at `rank` (last when not given) and tell the team."""
    require_staff(by)
    locked = _lock(application)
    return _refresh(application, _decide(locked, Verb.WAITLIST, by=by, comment=comment, rank=rank))


@transaction.atomic
def accept_application(application: Application, *, by: User, comment: str = "") -> Application:
    """Accept an application if a seat is free, set its confirmation deadline, tell the team."""
    require_staff(by)
    return _refresh(application, _decide(_lock(application), Verb.ACCEPT, by=by, comment=comment))


@transaction.atomic
def reject_application(application: Application, *, by: User, comment: str = "") -> Application:
    """Reject an application and tell the team."""
    require_staff(by)
    return _refresh(application, _decide(_lock(application), Verb.REJECT, by=by, comment=comment))


@transaction.atomic
def confirm_application(application: Application, *, by: User) -> Application:
    """Confirm an acceptance before its deadline; staff and the host are told."""
    require_owner(application.startup, by)
    requested_at = timezone.now()
    locked = _lock(application)
    now = timezone.now()  # after the lock: what is recorded is when it happened
    if locked.state == State.ACCEPTED and locked.confirm_by <= _deadline_time(requested_at, now):
        raise DomainError(
            "confirmation_closed",
            gettext_lazy("The deadline to confirm has passed; the seat is no longer held."),
        )
    _move(locked, verb=Verb.CONFIRM, by=by, actor=Actor.OWNER, now=now)
    emails.notify_staff_and_host(locked, "exchanges/email/application_confirmed")
    return _refresh(application, locked)


@transaction.atomic
def withdraw_application(application: Application, *, by: User, comment: str = "") -> Application:
    """Withdraw an application; a freed seat goes to the waitlist."""
    require_owner(application.startup, by)
    locked = _lock(application)
    programme = locked.programme
    held_seat = locked.state in SEAT_STATES
    _move(
        locked, verb=Verb.WITHDRAW, by=by, actor=Actor.OWNER, comment=comment, pending_decision=""
    )
    emails.notify_staff_and_host(locked, "exchanges/email/application_withdrawn")
    if held_seat:
        _backfill(programme)
    return _refresh(application, locked)


@transaction.atomic
def expire_application(
    application: Application, *, now: datetime.datetime | None = None
) -> Application:
    """Expire an acceptance whose confirmation deadline has passed; backfill its seat."""
    locked = _lock(application)
    programme = locked.programme
    if locked.state == State.ACCEPTED and locked.confirm_by > (now or timezone.now()):
        raise DomainError(
            "not_expired", gettext_lazy("The confirmation deadline has not passed yet.")
        )
    _move(locked, verb=Verb.EXPIRE, by=None, actor=Actor.SYSTEM)
    emails.notify_team(locked, "exchanges/email/application_expired")
    emails.notify_staff_and_host(locked, "exchanges/email/application_expired_staff")
    _backfill(programme)
    return _refresh(application, locked)


def expire_acceptances(*, now: datetime.datetime | None = None) -> list[Application]:
    """Expire every acceptance whose deadline has passed (each in its own transaction)."""
    now = now or timezone.now()
    due = Application.objects.filter(state=State.ACCEPTED, confirm_by__lte=now).order_by("pk")
    expired = []
    for application in due.select_related("programme"):
        try:
            expired.append(expire_application(application, now=now))
        except DomainError:
            continue  # confirmed or withdrawn meanwhile
    return expired


@transaction.atomic
def backfill_programme(programme: ExchangeProgramme) -> list[Application]:
    """Give the programme's free seats to its best-ranked waitlisted applications."""
    return _backfill(_lock_programme(programme))


def backfill_programmes() -> list[Application]:
    """Backfill every published programme with free seats and a waitlist."""
    accepted = []
    programmes = (
        ExchangeProgramme.objects.published()
        .filter(automatic_backfill=True, applications__state=State.WAITLISTED)
        .distinct()
    )
    for programme in programmes:
        accepted += backfill_programme(programme)
    return accepted


# Staged decisions


@transaction.atomic
def stage_decision(
    application: Application, *, verb: Verb, by: User, rank: int | None = None
) -> Application:
    """Stage a decision that the applicant does not see until it is announced."""
    require_staff(by)
    if verb not in STAGEABLE:
        raise DomainError("not_stageable", gettext_lazy("This decision cannot be staged."))
    locked = _lock(application)
    if locked.state not in TRANSITIONS[verb].sources:
        raise DomainError("state_conflict", REFUSED[verb])
    locked.pending_decision = verb
    locked.rank = rank if verb == Verb.WAITLIST else locked.rank
    locked.save(update_fields=["pending_decision", "rank"])
    return _refresh(application, locked)


@transaction.atomic
def clear_staged_decision(application: Application, *, by: User) -> Application:
    """Drop a staged decision."""
    require_staff(by)
    locked = _lock(application)
    locked.pending_decision = ""
    locked.save(update_fields=["pending_decision"])
    return _refresh(application, locked)


def staged_seat_warning(programme: ExchangeProgramme) -> str | None:
    """A warning when the staged acceptances would exceed the free seats, else None."""
    holding = programme.applications.holding_seats().count()
    staged = programme.applications.filter(pending_decision=Verb.ACCEPT).count()
    if holding + staged <= programme.seats:
        return None
    return _("%(staged)d acceptances are staged but only %(free)d of %(seats)d seats are free.") % {
        "staged": staged,
        "free": max(programme.seats - holding, 0),
        "seats": programme.seats,
    }


@transaction.atomic
def announce_decisions(programme: ExchangeProgramme, *, by: User) -> list[Application]:
    """Apply every staged decision of `programme` and queue their emails, all or none."""
    require_staff(by)
    programme = _lock_programme(programme)
    staged = list(
        Application.objects.select_for_update(of=("self",))
        .filter(programme=programme)
        .exclude(pending_decision="")
        .order_by("pk")
    )
    if not staged:
        raise DomainError(
            "nothing_staged", gettext_lazy("No decision is staged for this programme.")
        )
    announced = []
    for application in staged:
        verb = Verb(application.pending_decision)
        rank = application.rank if verb == Verb.WAITLIST else None
        announced.append(_decide(application, verb, by=by, rank=rank, pending_decision=""))
    return announced


# The mover

# A founder's verb that waited this long for the programme's lock is judged by the time
# it was done, not by the time it was asked for.
DEADLINE_LOCK_GRACE = datetime.timedelta(seconds=30)


def _deadline_time(requested_at: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    """The moment a deadline is judged at: when the founder asked, if the lock wait was short.

    A submit or confirm clicked before the deadline counts even if another verb held the
    programme's lock until just after it; records always carry `now` (after the lock).
    """
    return requested_at if now - requested_at <= DEADLINE_LOCK_GRACE else now


def _lock(application: Application) -> Application:
    """Lock the application's programme, then the application: always in this order.

    One order for every verb means two verbs on the same application or programme wait
    for each other instead of deadlocking; the programme lock also guards the seats.
    """
    programme = _lock_programme(application.programme)
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("startup")
        .get(pk=application.pk)
    )
    locked.programme = programme
    return locked


def _lock_programme(programme: ExchangeProgramme) -> ExchangeProgramme:
    """Lock the programme row: every change of its applications' states goes through here."""
    return ExchangeProgramme.objects.select_for_update().get(pk=programme.pk)


def _free_seats(programme: ExchangeProgramme) -> int:
    return programme.seats - programme.applications.holding_seats().count()


def _decide(
    application: Application,
    verb: Verb,
    *,
    by: User | None,
    comment: str = "",
    rank: int | None = None,
    **fields,
) -> Application:
    """Apply a staff decision (or the portal's backfill) and tell the team."""
    now = timezone.now()
    actor = Actor.STAFF if by else Actor.SYSTEM
    if verb == Verb.ACCEPT:
        if (
            application.state in TRANSITIONS[verb].sources
            and _free_seats(application.programme) <= 0
        ):
            raise DomainError(
                "no_seats",
                _("All %(seats)d seats of %(programme)s are taken: %(startup)s cannot be accepted.")
                % {
                    "seats": application.programme.seats,
                    "programme": application.programme.title,
                    "startup": application.startup.name,
                },
            )
        fields["confirm_by"] = now + datetime.timedelta(
            days=application.programme.confirmation_days
        )
        fields["rank"] = None
    if verb == Verb.WAITLIST:
        fields["rank"] = rank or _next_rank(application.programme)
    if verb in (Verb.ACCEPT, Verb.REJECT):
        fields["decided_at"] = now
    if verb == Verb.REJECT:
        fields["rank"] = None
    fields.setdefault("pending_decision", "")
    _move(application, verb=verb, by=by, actor=actor, comment=comment, now=now, **fields)
    emails.notify_team(application, DECISION_EMAILS[verb])
    return application


def _next_rank(programme: ExchangeProgramme) -> int:
    last = (
        programme.applications.filter(state=State.WAITLISTED, rank__isnull=False)
        .order_by("-rank")
        .values_list("rank", flat=True)
        .first()
    )
    return (last or 0) + 1


def _backfill(programme: ExchangeProgramme) -> list[Application]:
    """Accept waitlisted applications into free seats, or tell staff when not automatic."""
    waitlist = programme.applications.filter(state=State.WAITLISTED).order_by(
        F("rank").asc(nulls_last=True), "submitted_at", "pk"
    )
    free = _free_seats(programme)
    if free <= 0 or not waitlist.exists():
        return []
    if not programme.automatic_backfill:
        queue_email(
            "exchanges/email/seat_free",
            to=staff_inbox(),
            context=lambda recipient: {
                "programme": translated_value(programme, "title", recipient.language)[0],
                "free": str(free),
            },
            about=programme,
        )
        return []
    accepted = []
    for application in waitlist.select_for_update(of=("self",))[:free]:
        accepted.append(_decide(application, Verb.ACCEPT, by=None, comment="backfill"))
        emails.notify_staff_and_host(application, "exchanges/email/application_backfilled")
    return accepted


def _move(
    application: Application,
    *,
    verb: Verb,
    by: User | None,
    actor: Actor,
    comment: str = "",
    now: datetime.datetime | None = None,
    **fields,
) -> Application:
    """Check the table, save the new state with `fields` and record the change.

    The caller holds the row lock (`_lock`).
    """
    transition = TRANSITIONS[verb]
    if actor not in transition.actors:
        raise DomainError("not_allowed", REFUSED[verb])
    if application.state not in transition.sources:
        raise DomainError("state_conflict", REFUSED[verb])
    now = now or timezone.now()
    from_state = application.state
    application.state = transition.target
    application.updated_at = now
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=["state", "updated_at", *fields])
    ApplicationEvent.objects.create(
        application=application,
        verb=verb,
        actor=by,
        from_state=from_state,
        to_state=transition.target,
        comment=comment,
        at=now,
    )
    return application


def _refresh(application: Application, locked: Application) -> Application:
    """Copy the saved row into the caller's instance, so it sees the new state."""
    if application is not locked:
        application.refresh_from_db()
    return application
