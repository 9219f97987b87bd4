"""Where a programme's call for applications stands: open, closing soon, upcoming, closed.

The public pages show open calls first (the one closing soonest on top), then the calls
that open later (the next to open first), then the closed ones (the latest closed first).
"closing soon" is an open call that closes within `PROGRAMME_CLOSING_SOON_DAYS`.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import connection, models
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


def public_version(*, now: datetime.datetime) -> str:
    """A digest of everything the home page and the programme list show, at `now`.

    Made from every row (all columns) of the cities, organisations, agreements and
    programmes, today's date (an agreement's validity) and each programme's call state, so
    any change, however it is written (the admin, a loader, `update()`, raw SQL, another
    process), gives a new digest: pages cached under it are never stale. PostgreSQL digests
    each row version's identity (one query, a few bytes a row, see below); elsewhere
    (SQLite in development) the rows' texts are read and hashed here.
    """
    from cities.models import City, CooperationAgreement, PartnerOrganisation  # noqa: PLC0415

    tables = [
        model._meta.db_table
        for model in (City, PartnerOrganisation, CooperationAgreement, ExchangeProgramme)
    ]
    programmes = ExchangeProgramme._meta.db_table
    soon = now + closing_soon_window()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Each row version by its identity, not its text: the transaction and command
            # that wrote it and where it lies. Any UPDATE writes a new version with another
            # (xmin, cmin, ctid), an INSERT or DELETE changes the list: no need to read and
            # hash the columns themselves (programmes carry kilobytes in seven languages).
            rows = " || ".join(
                "coalesce((SELECT string_agg(t.id::text || ':' || t.xmin::text || ':' "  # noqa: S608
                f"|| t.cmin::text || ':' || t.ctid::text, '|' ORDER BY t.id) FROM {table} t), '')"
                for table in tables
            )
            cursor.execute(
                f"SELECT md5({rows}), (SELECT string_agg(CASE "  # noqa: S608 - our table names
                "WHEN applications_open_at > %s THEN 'u' "
                "WHEN applications_close_at <= %s THEN 'c' "
                "WHEN applications_close_at <= %s THEN 's' ELSE 'o' END, '' ORDER BY id) "
                f"FROM {programmes})",
                [now, now, soon],
            )
            digest, states = cursor.fetchone()
        else:
            # Each row as the text of its quoted columns (SQLite has no row-to-text cast).
            row_texts = [
                " || ',' || ".join(
                    f"quote({field.column})" for field in model._meta.concrete_fields
                )
                for model in (City, PartnerOrganisation, CooperationAgreement, ExchangeProgramme)
            ]
            rows = ", ".join(
                f"(SELECT group_concat({text}, '|') FROM (SELECT * FROM {table} ORDER BY id))"  # noqa: S608
                for table, text in zip(tables, row_texts, strict=True)
            )
            cursor.execute(
                f"SELECT {rows}, (SELECT group_concat(CASE "  # noqa: S608 - our table names
                "WHEN applications_open_at > %s THEN 'u' "
                "WHEN applications_close_at <= %s THEN 'c' "
                "WHEN applications_close_at <= %s THEN 's' ELSE 'o' END, '') "
                f"FROM (SELECT * FROM {programmes} ORDER BY id))",
                [now, now, soon],
            )
            *texts, states = cursor.fetchone()
            digest = hashlib.sha256(repr(texts).encode()).hexdigest()
    return f"{digest}:{timezone.localdate(now)}:{states or ''}"
