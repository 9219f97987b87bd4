"""Times are taken after the lock; a deadline is judged by when the founder asked.

Real threads on PostgreSQL: one holds the programme's row lock while another verb waits.
"""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from alliance.errors import DomainError
from exchanges import services
from exchanges.models import ApplicationEvent, ExchangeProgramme, State, Verb
from tests.exchanges.conftest import make_application

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLD_SECONDS = 1.0


def hold_programme_lock(programme, *, locked: threading.Event, released: list) -> threading.Thread:
    """Hold the programme row lock for HOLD_SECONDS in another thread and connection."""

    def hold() -> None:
        try:
            with transaction.atomic():
                ExchangeProgramme.objects.select_for_update().get(pk=programme.pk)
                locked.set()
                time.sleep(HOLD_SECONDS)
                released.append(timezone.now())  # just before the commit frees the lock
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(timeout=10)
    return thread


def test_submit_records_the_time_after_the_lock(world):
    application = make_application(world)
    locked, released = threading.Event(), []
    holder = hold_programme_lock(world.programme, locked=locked, released=released)

    services.submit_application(application, by=world.owner, consent=True)
    holder.join(timeout=10)

    application.refresh_from_db()
    event = ApplicationEvent.objects.get(application=application, verb=Verb.SUBMIT)
    assert application.state == State.SUBMITTED
    assert application.submitted_at >= released[0]
    assert application.updated_at >= released[0]
    assert application.consent_at >= released[0]
    assert event.at >= released[0]


def test_confirm_asked_before_the_deadline_counts_though_the_lock_frees_after_it(world):
    application = make_application(
        world, State.ACCEPTED, confirm_by=timezone.now() + datetime.timedelta(seconds=0.5)
    )
    locked, released = threading.Event(), []
    holder = hold_programme_lock(world.programme, locked=locked, released=released)

    services.confirm_application(application, by=world.owner)
    holder.join(timeout=10)

    application.refresh_from_db()
    event = ApplicationEvent.objects.get(application=application, verb=Verb.CONFIRM)
    assert released[0] > application.confirm_by  # the lock was freed after the deadline
    assert application.state == State.CONFIRMED
    assert application.updated_at >= released[0]
    assert event.at >= released[0]


def test_confirm_asked_after_the_deadline_is_refused(world):
    application = make_application(
        world, State.ACCEPTED, confirm_by=timezone.now() - datetime.timedelta(seconds=1)
    )

    with pytest.raises(DomainError) as refused:
        services.confirm_application(application, by=world.owner)

    application.refresh_from_db()
    assert refused.value.code == "confirmation_closed"
    assert application.state == State.ACCEPTED
