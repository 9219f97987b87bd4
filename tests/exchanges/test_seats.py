"""Seats, staged decisions, expiry and backfill."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from alliance.errors import DomainError
from alliance.mail.models import EmailMessage
from exchanges import services
from exchanges.models import Application, ApplicationEvent, State, Verb
from exchanges.tasks import backfill_programmes, expire_acceptances
from tests.exchanges.conftest import emails_queued, make_application
from tests.factories import MembershipFactory
from tests.helpers import at_once


def application_for_new_startup(world, state, **fields):
    """An application of another start-up, with an owner of its own."""
    return make_application(world, state, startup=MembershipFactory().startup, **fields)


@pytest.mark.django_db
def test_accept_beyond_the_seats_is_refused(world):
    world.programme.seats = 1
    world.programme.save()
    application_for_new_startup(world, State.CONFIRMED)
    late = make_application(world, State.SHORTLISTED)

    with pytest.raises(DomainError) as refused:
        services.accept_application(late, by=world.staff)

    assert refused.value.code == "no_seats"
    programme, startup = world.programme.title, world.startup.name
    assert refused.value.messages == [
        f"All 1 seats of {programme} are taken: {startup} cannot be accepted."
    ]
    assert Application.objects.get(pk=late.pk).state == State.SHORTLISTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_accepts_racing_for_the_last_seat(world):
    world.programme.seats = 1
    world.programme.save()
    first = make_application(world, State.SHORTLISTED)
    second = application_for_new_startup(world, State.SHORTLISTED)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def accept(application):
        try:
            barrier.wait(timeout=10)
            services.accept_application(application, by=world.staff)
            outcomes[application.pk] = "accepted"
        except DomainError as error:
            outcomes[application.pk] = error.code
        finally:
            connections.close_all()

    at_once(accept, [(app,) for app in (first, second)], timeout=30)

    assert sorted(outcomes.values()) == ["accepted", "no_seats"]
    assert Application.objects.filter(state=State.ACCEPTED).count() == 1
    assert connection.vendor == "postgresql"


def race(*calls) -> list[str]:
    """Run `calls` at the same moment in threads; return each outcome (or error code)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("done")
        except DomainError as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 - a deadlock must show up as an outcome
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    at_once(run, [(call,) for call in calls], timeout=30)
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_owner_withdrawing_while_staff_reject_one_wins(world):
    # Without the row locks both would read "shortlisted" and both would move it.
    for _ in range(5):
        application = application_for_new_startup(world, State.SHORTLISTED)
        owner = application.startup.memberships.get().user

        outcomes = race(
            lambda app=application, by=owner: services.withdraw_application(app, by=by),
            lambda app=application: services.reject_application(app, by=world.staff),
        )

        assert outcomes == ["done", "state_conflict"]
        assert Application.objects.get(pk=application.pk).state in {State.WITHDRAWN, State.REJECTED}
        assert ApplicationEvent.objects.filter(application=application).count() == 1


@pytest.mark.django_db
def test_announce_applies_every_staged_decision(world):
    accept = make_application(world, State.IN_REVIEW)
    waitlist = application_for_new_startup(world, State.SUBMITTED)
    reject = application_for_new_startup(world, State.SHORTLISTED)
    services.stage_decision(accept, verb=Verb.ACCEPT, by=world.staff)
    services.stage_decision(waitlist, verb=Verb.WAITLIST, by=world.staff, rank=3)
    services.stage_decision(reject, verb=Verb.REJECT, by=world.staff)
    assert not EmailMessage.objects.exists()  # staging tells nobody
    assert not ApplicationEvent.objects.exists()

    services.announce_decisions(world.programme, by=world.staff)

    states = dict(Application.objects.values_list("pk", "state"))
    assert states == {
        accept.pk: State.ACCEPTED,
        waitlist.pk: State.WAITLISTED,
        reject.pk: State.REJECTED,
    }
    assert Application.objects.get(pk=waitlist.pk).rank == 1  # alone: ranks close up
    assert set(Application.objects.values_list("pending_decision", flat=True)) == {""}
    keys = {key for key, _, _ in emails_queued()}
    assert keys == {"application_accepted", "application_waitlisted", "application_rejected"}


@pytest.mark.django_db
def test_announce_applies_nothing_when_one_decision_would_overbook(world):
    world.programme.seats = 1
    world.programme.save()
    first = make_application(world, State.IN_REVIEW)
    second = application_for_new_startup(world, State.IN_REVIEW)
    rejected = application_for_new_startup(world, State.IN_REVIEW)
    services.stage_decision(first, verb=Verb.ACCEPT, by=world.staff)
    services.stage_decision(second, verb=Verb.ACCEPT, by=world.staff)
    services.stage_decision(rejected, verb=Verb.REJECT, by=world.staff)
    assert services.staged_seat_warning(world.programme) == (
        "2 acceptances are staged but only 1 of 1 seats are free."
    )

    with pytest.raises(DomainError) as refused:
        services.announce_decisions(world.programme, by=world.staff)

    assert refused.value.code == "no_seats"
    assert set(Application.objects.values_list("state", flat=True)) == {State.IN_REVIEW}
    assert sorted(Application.objects.values_list("pending_decision", flat=True)) == [
        "accept",
        "accept",
        "reject",
    ]
    assert not EmailMessage.objects.exists()
    assert not ApplicationEvent.objects.exists()


@pytest.mark.django_db
def test_staged_decisions_are_invisible_until_announced(world):
    application = make_application(world, State.SUBMITTED)

    services.stage_decision(application, verb=Verb.REJECT, by=world.staff)

    application.refresh_from_db()
    assert (application.state, application.pending_decision) == (State.SUBMITTED, "reject")


@pytest.mark.django_db
def test_expiry_and_backfill_once(world):
    world.programme.seats = 1
    world.programme.save()
    overdue = make_application(
        world, State.ACCEPTED, confirm_by=timezone.now() - datetime.timedelta(hours=1)
    )
    second = application_for_new_startup(world, State.WAITLISTED, rank=2)
    best = application_for_new_startup(world, State.WAITLISTED, rank=1)

    assert expire_acceptances.delay().get() == 1
    events_after_first_run = ApplicationEvent.objects.count()
    emails_after_first_run = EmailMessage.objects.count()
    assert expire_acceptances.delay().get() == 0
    assert backfill_programmes.delay().get() == 0

    states = dict(Application.objects.values_list("pk", "state"))
    assert states == {
        overdue.pk: State.EXPIRED,
        best.pk: State.ACCEPTED,
        second.pk: State.WAITLISTED,
    }
    best.refresh_from_db()
    assert best.confirm_by > timezone.now() + datetime.timedelta(days=6)
    assert best.rank is None
    assert list(
        ApplicationEvent.objects.filter(application=best).values_list("verb", "actor", "comment")
    ) == [(Verb.ACCEPT, None, "backfill")]
    keys = sorted(key for key, _, _ in emails_queued())
    assert "application_backfilled" in keys
    assert "application_accepted" in keys
    assert ApplicationEvent.objects.count() == events_after_first_run == 2
    assert EmailMessage.objects.count() == emails_after_first_run


@pytest.mark.django_db
def test_withdrawing_a_seat_backfills(world):
    world.programme.seats = 1
    world.programme.save()
    confirmed = make_application(world, State.CONFIRMED)
    waiting = application_for_new_startup(world, State.WAITLISTED, rank=1)

    services.withdraw_application(confirmed, by=world.owner)

    assert Application.objects.get(pk=waiting.pk).state == State.ACCEPTED


@pytest.mark.django_db
def test_the_waitlist_closes_up_after_a_backfill(world):
    world.programme.seats = 1
    world.programme.save()
    confirmed = make_application(world, State.CONFIRMED)
    first = application_for_new_startup(world, State.WAITLISTED, rank=1)
    second = application_for_new_startup(world, State.WAITLISTED, rank=2)
    third = application_for_new_startup(world, State.WAITLISTED, rank=3)

    services.withdraw_application(confirmed, by=world.owner)

    ranks = dict(Application.objects.values_list("pk", "rank"))
    assert Application.objects.get(pk=first.pk).state == State.ACCEPTED
    assert (ranks[first.pk], ranks[second.pk], ranks[third.pk]) == (None, 1, 2)


@pytest.mark.django_db
def test_without_automatic_backfill_staff_are_told(world):
    world.programme.seats = 1
    world.programme.automatic_backfill = False
    world.programme.save()
    confirmed = make_application(world, State.CONFIRMED)
    waiting = application_for_new_startup(world, State.WAITLISTED, rank=1)

    services.withdraw_application(confirmed, by=world.owner)

    assert Application.objects.get(pk=waiting.pk).state == State.WAITLISTED
    assert emails_queued() == [
        ("application_withdrawn", "host@partner.example", "de"),
        ("application_withdrawn", "staff@berlin-partner.example", "de"),
        ("seat_free", "staff@berlin-partner.example", "de"),
    ]
