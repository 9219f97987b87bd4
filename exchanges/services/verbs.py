"""The public verbs of an application's life, one function each, around the one mover.

Views, the admin, the API and periodic tasks all call these; each checks its actor and
the state and enforces the programme's rules; the mover records the change and hands it
to the seam (where the emails are queued), all in the same transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alliance.accounts.models import User
from alliance.errors import DomainError
from exchanges.models import SEAT_STATES, Actor, Application, State, Verb
from exchanges.rules import (
    REFUSED,
    SubmissionRefusedError,
    consent_wording,
    require_application_decider,
    submission_field_problems,
)
from exchanges.services._mover import deadline_time, lock, move, refresh, renumber_waitlist
from exchanges.services.seats import backfill
from startups.rules import require_owner


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
    locked = lock(application)
    now = timezone.now()  # after the lock: what is recorded is when it happened
    if locked.state != State.DRAFT:
        raise DomainError("state_conflict", REFUSED[Verb.SUBMIT])
    problems = submission_field_problems(
        locked, now=deadline_time(requested_at, now), consent=consent
    )
    if problems:
        raise SubmissionRefusedError(problems)
    move(
        locked,
        Verb.SUBMIT,
        by=by,
        actor=Actor.OWNER,
        now=now,
        consent_text=consent_wording(locked.programme),
    )
    return refresh(application, locked)


@transaction.atomic
def start_review(application: Application, *, by: User, comment: str = "") -> Application:
    """Mark a submitted application as being reviewed by staff."""
    require_application_decider(by, application)
    locked = move(lock(application), Verb.START_REVIEW, by=by, actor=Actor.STAFF, comment=comment)
    return refresh(application, locked)


@transaction.atomic
def shortlist_application(
    application: Application, *, by: User, comment: str = "", share_comment: bool = False
) -> Application:
    """Shortlist an application and tell the team (with the comment, if `share_comment`)."""
    require_application_decider(by, application)
    locked = move(
        lock(application),
        Verb.SHORTLIST,
        by=by,
        actor=Actor.STAFF,
        comment=comment,
        share_comment=share_comment,
    )
    return refresh(application, locked)


@transaction.atomic
def waitlist_application(
    application: Application,
    *,
    by: User,
    rank: int | None = None,
    comment: str = "",
    share_comment: bool = False,
) -> Application:
    """Put an application on the waitlist at `rank` (last when not given) and tell the team.

    The others from `rank` on move down one: the waitlist stays ranked 1..n.
    """
    require_application_decider(by, application)
    if rank is not None and rank < 1:
        raise ValidationError(gettext_lazy("A waitlist rank is 1 or more."), code="invalid_rank")
    locked = move(
        lock(application),
        Verb.WAITLIST,
        by=by,
        actor=Actor.STAFF,
        comment=comment,
        share_comment=share_comment,
        rank=rank,
    )
    renumber_waitlist(locked.programme, placing={locked.pk: locked.rank})
    return refresh(application, locked)


@transaction.atomic
def accept_application(
    application: Application, *, by: User, comment: str = "", share_comment: bool = False
) -> Application:
    """Accept an application if a seat is free, set its confirmation deadline, tell the team."""
    require_application_decider(by, application)
    locked = lock(application)
    move(
        locked, Verb.ACCEPT, by=by, actor=Actor.STAFF, comment=comment, share_comment=share_comment
    )
    return refresh(application, locked)


@transaction.atomic
def reject_application(
    application: Application, *, by: User, comment: str = "", share_comment: bool = False
) -> Application:
    """Reject an application and tell the team (with the comment, if `share_comment`)."""
    require_application_decider(by, application)
    locked = lock(application)
    move(
        locked, Verb.REJECT, by=by, actor=Actor.STAFF, comment=comment, share_comment=share_comment
    )
    return refresh(application, locked)


@transaction.atomic
def confirm_application(application: Application, *, by: User) -> Application:
    """Confirm an acceptance before its deadline; staff and the host are told."""
    require_owner(application.startup, by)
    requested_at = timezone.now()
    locked = lock(application)
    now = timezone.now()  # after the lock: what is recorded is when it happened
    if locked.state == State.ACCEPTED and locked.confirm_by <= deadline_time(requested_at, now):
        raise DomainError(
            "confirmation_closed",
            gettext_lazy("The deadline to confirm has passed; the seat is no longer held."),
        )
    move(locked, Verb.CONFIRM, by=by, actor=Actor.OWNER, now=now)
    return refresh(application, locked)


@transaction.atomic
def withdraw_application(application: Application, *, by: User, comment: str = "") -> Application:
    """Withdraw an application; a freed seat goes to the waitlist."""
    require_owner(application.startup, by)
    locked = lock(application)
    held_seat = locked.state in SEAT_STATES
    move(locked, Verb.WITHDRAW, by=by, actor=Actor.OWNER, comment=comment)
    if held_seat:
        backfill(locked.programme)
    return refresh(application, locked)
