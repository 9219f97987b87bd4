"""The partner feed: which applications each organisation sees, in an order that loses none.

Every write to an organisation's view of an application (shared at submit, changed by a
transition or a profile edit, removed when it leaves the view) stamps the share row with
the **change position** of the writing transaction: on PostgreSQL its transaction id
(`pg_current_xact_id()`), on SQLite (one writer at a time) one more than the largest so far.

A reader only returns rows below the **visibility horizon**: the oldest transaction still
running (`pg_snapshot_xmin(pg_current_snapshot())`). Every transaction below it has ended,
so no row can later appear below a position a client has already passed: a transaction
that started before a page was read and commits after it (a slow submit holding the
programme's lock) has a position at or above the horizon of that read, and comes in a
later page. A row changed again moves forward and comes again: a client may see one
application more than once, in its latest form each time, and must upsert by id.

The rows are written here, subscribed to the changes that cause them (`connect`): the
exchanges seam after each transition, a start-up's profile edit, an application's
deletion, a programme's edit (its slug) and its organisers, its questions (in every
answer), a city's edit (its slug). Nothing else writes them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from cities.models import City
from exchanges import seam
from exchanges.models import Application, ExchangeProgramme, ProgrammeQuestion, Verb
from exchanges.partners.models import ApplicationShare
from startups.models import Startup

# The largest BIGINT: SQLite has one writer at a time, so everything committed is visible.
_EVERYTHING = 2**63 - 1


class ChangePosition(models.Func):
    """The change position of the current transaction (see the module's docstring)."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra):
        table = ApplicationShare._meta.db_table
        return f"(SELECT COALESCE(MAX(position), 0) + 1 FROM {table})", []  # noqa: S608

    def as_postgresql(self, compiler, connection, **extra):
        return "pg_current_xact_id()::text::bigint", []


class VisibilityHorizon(models.Func):
    """Positions below this belong to transactions that have all ended."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra):
        return str(_EVERYTHING), []

    def as_postgresql(self, compiler, connection, **extra):
        return "pg_snapshot_xmin(pg_current_snapshot())::text::bigint", []


class OwnTransaction(models.Func):
    """The reader's own transaction id, if it has written (tests, commands); else NULL.

    A web request reads its page before it writes anything, so this is NULL there.
    """

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra):
        return "pg_current_xact_id_if_assigned()::text::bigint", []


def visible() -> models.Q:
    """The rows a reader may return now (below the horizon, or its own)."""
    return models.Q(position__lt=VisibilityHorizon()) | models.Q(position=OwnTransaction())


def horizon() -> int:
    """The visibility horizon now: every row below it is committed and visible."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        else:
            cursor.execute(
                f"SELECT COALESCE(MAX(position), 0) + 1 FROM {ApplicationShare._meta.db_table}"  # noqa: S608
            )
        return cursor.fetchone()[0]


def touch(shares: models.QuerySet, now: datetime.datetime | None = None) -> int:
    """Move `shares` to the current transaction's position: they come again in the sync."""
    return shares.update(position=ChangePosition(), changed_at=now or timezone.now())


def share(application: Application, now: datetime.datetime) -> None:
    """Open the application to its programme's host and co-organisers (their consent)."""
    programme = application.programme
    organisation_ids = {programme.host_organisation_id, *organiser_ids(programme)}
    existing = set(
        ApplicationShare.objects.filter(application_ref=application.pk).values_list(
            "organisation_id", flat=True
        )
    )
    ApplicationShare.objects.bulk_create(
        ApplicationShare(
            organisation_id=organisation_id,
            application=application,
            application_ref=application.pk,
            shared_at=now,
            changed_at=now,
        )
        for organisation_id in sorted(organisation_ids - existing)
    )
    touch(ApplicationShare.objects.filter(application_ref=application.pk), now)


def organiser_ids(programme: ExchangeProgramme) -> set[int]:
    return set(programme.co_organisers.values_list("pk", flat=True))


@dataclass(frozen=True)
class Tombstone:
    """An application that left one organisation's view."""

    organisation_id: int
    application_ref: int
    at: datetime.datetime


_removal_handlers: list[Callable[[list[Tombstone]], None]] = []


def on_removed(handler: Callable[[list[Tombstone]], None]) -> None:
    """Call `handler` with the tombstones of every removal, in its transaction (webhooks)."""
    if handler not in _removal_handlers:
        _removal_handlers.append(handler)


def remove(shares: models.QuerySet, now: datetime.datetime | None = None) -> int:
    """Take applications out of organisations' views: each share becomes a tombstone.

    The one writer of tombstones: whoever follows them (`on_removed`) is told here.
    """
    now = now or timezone.now()
    leaving = shares.live()
    if _removal_handlers:
        with transaction.atomic():
            found = list(
                leaving.select_for_update().values_list("pk", "organisation_id", "application_ref")
            )
            removed = ApplicationShare.objects.filter(pk__in=[pk for pk, _o, _r in found]).update(
                removed_at=now, position=ChangePosition(), changed_at=now
            )
            if found:
                gone = [Tombstone(organisation, ref, now) for _pk, organisation, ref in found]
                for handler in _removal_handlers:
                    handler(gone)
        return removed
    return leaving.update(removed_at=now, position=ChangePosition(), changed_at=now)


def stop_sharing(application: Application) -> int:
    """The applicant withdrew consent: no partner sees the application any more."""
    return remove(ApplicationShare.objects.filter(application_ref=application.pk))


# What causes the writes.


def _on_transition(transition: seam.Transition) -> None:
    if transition.verb == Verb.SUBMIT:
        share(transition.application, transition.at)
    else:
        touch(ApplicationShare.objects.live().filter(application=transition.application))


def _on_startup_saved(sender, instance: Startup, created: bool, **kwargs) -> None:
    if not created:
        touch(ApplicationShare.objects.live().filter(application__startup=instance))


def _on_application_deleted(sender, instance: Application, **kwargs) -> None:
    remove(ApplicationShare.objects.filter(application_ref=instance.pk))


def _on_programme_saved(sender, instance: ExchangeProgramme, created: bool, **kwargs) -> None:
    if not created:
        _forget_former_organisers(instance)
        # Its slug is in every application's row (and the `programme` filter).
        touch(ApplicationShare.objects.live().filter(application__programme=instance))


def _on_question_changed(sender, instance: ProgrammeQuestion, **kwargs) -> None:
    # A question's text, kind and order are in every answer; a deleted one takes its answers.
    touch(ApplicationShare.objects.live().filter(application__programme_id=instance.programme_id))


def _on_city_saved(sender, instance: City, created: bool, **kwargs) -> None:
    if not created:  # its slug is the start-ups' `city`
        touch(ApplicationShare.objects.live().filter(application__startup__city=instance))


def _on_organisers_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs):
    if action not in {"post_remove", "post_clear"}:
        return
    if not reverse:
        _forget_former_organisers(instance)
        return
    # From the organisation's side: `instance` is the organisation, `pk_set` programmes
    # (None after a clear: then any programme it may have co-organised).
    programmes = ExchangeProgramme.objects.all()
    if pk_set is not None:
        programmes = programmes.filter(pk__in=pk_set)
    else:
        programmes = programmes.filter(applications__shares__organisation=instance).distinct()
    for programme in programmes:
        _forget_former_organisers(programme)


def _forget_former_organisers(programme: ExchangeProgramme) -> None:
    """Organisations that no longer host or co-organise the programme lose its applications."""
    keep = {programme.host_organisation_id, *organiser_ids(programme)}
    remove(
        ApplicationShare.objects.filter(application__programme=programme).exclude(
            organisation_id__in=keep
        )
    )


def connect() -> None:
    seam.subscribe(_on_transition)
    post_save.connect(_on_startup_saved, sender=Startup, dispatch_uid="partners.startup")
    pre_delete.connect(
        _on_application_deleted, sender=Application, dispatch_uid="partners.application"
    )
    post_save.connect(
        _on_programme_saved, sender=ExchangeProgramme, dispatch_uid="partners.programme"
    )
    post_save.connect(_on_question_changed, sender=ProgrammeQuestion, dispatch_uid="partners.q")
    post_delete.connect(
        _on_question_changed, sender=ProgrammeQuestion, dispatch_uid="partners.q-gone"
    )
    post_save.connect(_on_city_saved, sender=City, dispatch_uid="partners.city")
    m2m_changed.connect(
        _on_organisers_changed,
        sender=ExchangeProgramme.co_organisers.through,
        dispatch_uid="partners.organisers",
    )
