"""Staged decisions: staff stage them unseen, then announce a programme's all at once."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.accounts.models import User
from alliance.errors import DomainError
from exchanges.models import (
    STAGEABLE,
    TRANSITIONS,
    Actor,
    Application,
    ExchangeProgramme,
    State,
    Verb,
)
from exchanges.rules import (
    REFUSED,
    require_application_decider,
    require_decider,
    require_no_team_conflict,
)
from exchanges.services._mover import lock, lock_programme, move, refresh, renumber_waitlist


@transaction.atomic
def stage_decision(
    application: Application,
    *,
    verb: Verb,
    by: User,
    rank: int | None = None,
    comment: str = "",
    share_comment: bool = False,
) -> Application:
    """Stage a decision that the applicant does not see until it is announced.

    The comment is recorded with the decision when it is announced and, if
    `share_comment`, included in the email to the team.
    """
    require_application_decider(by, application)
    _check_rank(rank)
    if verb not in STAGEABLE:
        raise DomainError("not_stageable", gettext_lazy("This decision cannot be staged."))
    locked = lock(application)
    if locked.state not in TRANSITIONS[verb].sources:
        raise DomainError("state_conflict", REFUSED[verb])
    locked.pending_decision = verb
    locked.rank = rank if verb == Verb.WAITLIST else locked.rank
    locked.pending_comment = comment.strip()
    locked.pending_comment_shared = share_comment and bool(comment.strip())
    locked.save(
        update_fields=["pending_decision", "rank", "pending_comment", "pending_comment_shared"]
    )
    return refresh(application, locked)


@transaction.atomic
def clear_staged_decision(application: Application, *, by: User) -> Application:
    """Drop a staged decision."""
    require_application_decider(by, application)
    locked = lock(application)
    locked.pending_decision = ""
    locked.pending_comment = ""
    locked.pending_comment_shared = False
    locked.save(update_fields=["pending_decision", "pending_comment", "pending_comment_shared"])
    return refresh(application, locked)


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


def staged_fingerprint(programme: ExchangeProgramme) -> str:
    """A digest of the programme's staged decisions: what an announcement would apply."""
    staged = (
        programme.applications.exclude(pending_decision="")
        .order_by("pk")
        .values_list("pk", "state", "pending_decision", "rank", "pending_comment")
    )
    shared = programme.applications.filter(pending_comment_shared=True).values_list("pk")
    text = repr((list(staged), sorted(pk for (pk,) in shared)))
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def announce_decisions(
    programme: ExchangeProgramme, *, by: User, expected: str | None = None
) -> list[Application]:
    """Apply every staged decision of `programme` and queue their emails, all or none.

    `expected`, a `staged_fingerprint` taken when the decisions were shown (the emails'
    preview), refuses the announcement if they changed since: checked under the lock.
    """
    require_decider(by, programme)
    programme = lock_programme(programme)
    if expected is not None and staged_fingerprint(programme) != expected:
        raise DomainError(
            "staged_changed",
            gettext_lazy(
                "The staged decisions changed since this page was shown. Check the emails "
                "below again before you announce."
            ),
        )
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
    require_no_team_conflict(by, staged)
    announced = []
    placing = {}
    for application in staged:
        verb = Verb(application.pending_decision)
        # A staged waitlisting keeps the rank it was staged with (or goes last).
        fields = {"rank": application.rank} if verb == Verb.WAITLIST else {}
        announced.append(
            move(
                application,
                verb,
                by=by,
                actor=Actor.STAFF,
                comment=application.pending_comment,
                share_comment=application.pending_comment_shared,
                **fields,
            )
        )
        if verb == Verb.WAITLIST:
            placing[application.pk] = application.rank
    renumber_waitlist(programme, placing=placing)
    if programme.decisions_announced_at is None:  # reviews close with the first announcement
        programme.decisions_announced_at = timezone.now()
        programme.save(update_fields=["decisions_announced_at"])
    return announced


def _check_rank(rank: int | None) -> None:
    if rank is not None and rank < 1:
        raise ValidationError(gettext_lazy("A waitlist rank is 1 or more."), code="invalid_rank")


@transaction.atomic
def move_in_waitlist(application: Application, *, rank: int, by: User) -> Application:
    """Move a waitlisted application to `rank` (past the end: last); the others close up."""
    require_application_decider(by, application)
    _check_rank(rank)
    locked = lock(application)
    if locked.state != State.WAITLISTED:
        raise DomainError(
            "not_waitlisted", gettext_lazy("Only an application on the waitlist can be moved.")
        )
    renumber_waitlist(locked.programme, placing={locked.pk: rank})
    return refresh(application, locked)
