"""The one private mover: lock, check the table, save, record, hand on to the seam.

Every verb (and the announcement of staged decisions, and the backfill) moves an
application through `move`; the fields a verb sets besides the state come from
`VERB_FIELDS`, one small function per verb that has any.
"""

import datetime
from collections.abc import Callable

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.accounts.models import User
from alliance.errors import DomainError
from exchanges import seam
from exchanges.models import (
    TRANSITIONS,
    Actor,
    Application,
    ApplicationEvent,
    ExchangeProgramme,
    State,
    Verb,
)
from exchanges.rules import REFUSED

# A founder's verb that waited this long for the programme's lock is judged by the time
# it was done, not by the time it was asked for.
DEADLINE_LOCK_GRACE = datetime.timedelta(seconds=30)


def deadline_time(requested_at: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    """The moment a deadline is judged at: when the founder asked, if the lock wait was short.

    A submit or confirm clicked before the deadline counts even if another verb held the
    programme's lock until just after it; records always carry `now` (after the lock).
    """
    return requested_at if now - requested_at <= DEADLINE_LOCK_GRACE else now


def lock(application: Application) -> Application:
    """Lock the application's programme, then the application: always in this order.

    One order for every verb means two verbs on the same application or programme wait
    for each other instead of deadlocking; the programme lock also guards the seats.
    """
    programme = lock_programme(application.programme)
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("startup")
        .get(pk=application.pk)
    )
    locked.programme = programme
    return locked


def lock_programme(programme: ExchangeProgramme) -> ExchangeProgramme:
    """Lock the programme row: every change of its applications' states goes through here."""
    return ExchangeProgramme.objects.select_for_update().get(pk=programme.pk)


def free_seats(programme: ExchangeProgramme) -> int:
    return programme.seats - programme.applications.holding_seats().count()


def next_rank(programme: ExchangeProgramme) -> int:
    last = (
        programme.applications.filter(state=State.WAITLISTED, rank__isnull=False)
        .order_by("-rank")
        .values_list("rank", flat=True)
        .first()
    )
    return (last or 0) + 1


# The fields a verb sets besides its state, given the application, the time and the
# fields its caller passed.
Fields = Callable[[Application, datetime.datetime, dict], dict]


def _shortlisted(application: Application, now: datetime.datetime, fields: dict) -> dict:
    return {**fields, "pending_decision": ""}


def _waitlisted(application: Application, now: datetime.datetime, fields: dict) -> dict:
    rank = fields.get("rank") or next_rank(application.programme)
    return {**fields, "pending_decision": "", "rank": rank}


def _accepted(application: Application, now: datetime.datetime, fields: dict) -> dict:
    programme = application.programme
    if free_seats(programme) <= 0:
        raise DomainError(
            "no_seats",
            _("All %(seats)d seats of %(programme)s are taken: %(startup)s cannot be accepted.")
            % {
                "seats": programme.seats,
                "programme": programme.title,
                "startup": application.startup.name,
            },
        )
    confirm_by = now + datetime.timedelta(days=programme.confirmation_days)
    return {
        **fields,
        "pending_decision": "",
        "confirm_by": confirm_by,
        "rank": None,
        "decided_at": now,
    }


def _rejected(application: Application, now: datetime.datetime, fields: dict) -> dict:
    return {**fields, "pending_decision": "", "rank": None, "decided_at": now}


def _withdrawn(application: Application, now: datetime.datetime, fields: dict) -> dict:
    return {**fields, "pending_decision": ""}


def _submitted(application: Application, now: datetime.datetime, fields: dict) -> dict:
    return {**fields, "submitted_at": now, "consent_at": now}


VERB_FIELDS: dict[Verb, Fields] = {
    Verb.SUBMIT: _submitted,
    Verb.SHORTLIST: _shortlisted,
    Verb.WAITLIST: _waitlisted,
    Verb.ACCEPT: _accepted,
    Verb.REJECT: _rejected,
    Verb.WITHDRAW: _withdrawn,
}


def move(
    application: Application,
    verb: Verb,
    *,
    by: User | None,
    actor: Actor,
    comment: str = "",
    share_comment: bool = False,
    now: datetime.datetime | None = None,
    **fields,
) -> Application:
    """Check the table, save the new state and its verb's fields, record the change.

    The caller holds the row lock (`lock`). Then every subscriber of the seam sees the
    transition, in this transaction.
    """
    transition = TRANSITIONS[verb]
    if actor not in transition.actors:
        raise DomainError("not_allowed", REFUSED[verb])
    if application.state not in transition.sources:
        raise DomainError("state_conflict", REFUSED[verb])
    now = now or timezone.now()
    if verb in VERB_FIELDS:
        fields = VERB_FIELDS[verb](application, now, fields)
    if "pending_decision" in fields:  # a decision taken drops what was staged with it
        fields.update(pending_comment="", pending_comment_shared=False)
    source = application.state
    application.state = transition.target
    application.updated_at = now
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=["state", "updated_at", *fields])
    ApplicationEvent.objects.create(
        application=application,
        verb=verb,
        actor=by,
        from_state=source,
        to_state=transition.target,
        comment=comment,
        at=now,
    )
    if source == State.WAITLISTED and transition.target != State.WAITLISTED:
        renumber_waitlist(application.programme)  # no gap where it was: ranks stay 1..n
    seam.notify(
        seam.Transition(
            verb=verb,
            application=application,
            source=source,
            target=transition.target,
            actor=actor,
            by=by,
            comment=comment,
            share_comment=share_comment and bool(comment.strip()),
            at=now,
        )
    )
    return application


def renumber_waitlist(
    programme: ExchangeProgramme, *, placing: dict[int, int | None] | None = None
) -> None:
    """Rank `programme`'s waitlist 1..n, without gaps or ties, keeping its order.

    `placing` maps applications (by id) to the rank they take, the others moving down
    (none given: last). The caller holds the programme's lock; each changed row is saved
    on its own, so that the audit log records every rank that changed.
    """
    placing = placing or {}
    waitlist = list(
        Application.objects.select_for_update(of=("self",))
        .filter(programme=programme, state=State.WAITLISTED)
        .order_by(F("rank").asc(nulls_last=True), "pk")
    )
    by_pk = {application.pk: application for application in waitlist}
    ordered = [application for application in waitlist if application.pk not in placing]
    placed = sorted(
        ((rank or len(waitlist), pk) for pk, rank in placing.items() if pk in by_pk),
    )
    for rank, pk in placed:  # ascending, so each lands on the rank it asked for
        ordered.insert(min(rank - 1, len(ordered)), by_pk[pk])
    now = timezone.now()
    for position, application in enumerate(ordered, start=1):
        if application.rank != position:
            application.rank = position
            application.updated_at = now
            application.save(update_fields=["rank", "updated_at"])


def refresh(application: Application, locked: Application) -> Application:
    """Copy the saved row into the caller's instance, so it sees the new state."""
    if application is not locked:
        application.refresh_from_db()
    return application
