"""Seats: acceptances that expire, and free seats given to the waitlist."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alliance.errors import DomainError
from alliance.i18n import translated_value
from alliance.mail.outbox import queue_email, staff_inbox
from exchanges.models import Actor, Application, ExchangeProgramme, State, Verb
from exchanges.services._mover import free_seats, lock, lock_programme, move, refresh


@transaction.atomic
def expire_application(
    application: Application, *, now: datetime.datetime | None = None
) -> Application:
    """Expire an acceptance whose confirmation deadline has passed; backfill its seat."""
    locked = lock(application)
    if locked.state == State.ACCEPTED and locked.confirm_by > (now or timezone.now()):
        raise DomainError(
            "not_expired", gettext_lazy("The confirmation deadline has not passed yet.")
        )
    move(locked, Verb.EXPIRE, by=None, actor=Actor.SYSTEM)
    backfill(locked.programme)
    return refresh(application, locked)


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
    return backfill(lock_programme(programme))


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


def backfill(programme: ExchangeProgramme) -> list[Application]:
    """Accept waitlisted applications into free seats, or tell staff when not automatic.

    The caller holds the programme's lock.
    """
    waitlist = programme.applications.filter(state=State.WAITLISTED).order_by(
        F("rank").asc(nulls_last=True), "submitted_at", "pk"
    )
    free = free_seats(programme)
    if free <= 0 or not waitlist.exists():
        return []
    if not programme.automatic_backfill:
        # Not a change of state: a note to staff, queued here rather than at the seam.
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
    return [
        move(application, Verb.ACCEPT, by=None, actor=Actor.SYSTEM, comment="backfill")
        for application in waitlist.select_for_update(of=("self",))[:free]
    ]
