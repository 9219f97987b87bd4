"""Where a programme's call for applications stands: open, closing soon, upcoming, closed.

The public pages show open calls first (the one closing soonest on top), then the calls
that open later (the next to open first), then the closed ones (the latest closed first).
"closing soon" is an open call that closes within `PROGRAMME_CLOSING_SOON_DAYS`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchanges.models import ExchangeProgramme, ProgrammeQuerySet


class CallState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSING = "closing", _("Closing soon")
    UPCOMING = "upcoming", _("Opens soon")
    CLOSED = "closed", _("Closed")


def closing_soon_window() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PROGRAMME_CLOSING_SOON_DAYS)


def call_state(programme: ExchangeProgramme, *, now: datetime.datetime) -> CallState:
    """Where the call of `programme` stands at `now`."""
    if now < programme.applications_open_at:
        return CallState.UPCOMING
    if now >= programme.applications_close_at:
        return CallState.CLOSED
    if programme.applications_close_at - now <= closing_soon_window():
        return CallState.CLOSING
    return CallState.OPEN


def by_call(programmes: ProgrammeQuerySet, *, now: datetime.datetime) -> ProgrammeQuerySet:
    """`programmes` with the open calls first, then the upcoming, then the closed ones."""
    open_q = Q(applications_open_at__lte=now, applications_close_at__gt=now)
    upcoming_q = Q(applications_open_at__gt=now)
    return programmes.annotate(
        call_rank=Case(
            When(open_q, then=Value(0)),
            When(upcoming_q, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by(
        "call_rank",
        # Open: the soonest deadline first; upcoming: the soonest opening first.
        Case(
            When(open_q, then=F("applications_close_at")),
            When(upcoming_q, then=F("applications_open_at")),
            default=None,
        ).asc(nulls_last=True),
        # Closed: the latest closed first.
        F("applications_close_at").desc(),
        "slug",
    )


def open_calls(programmes: ProgrammeQuerySet, *, now=None) -> ProgrammeQuerySet:
    """The open calls among `programmes`, the soonest deadline first."""
    now = now or timezone.now()
    return programmes.open_now(now).order_by("applications_close_at", "slug")
