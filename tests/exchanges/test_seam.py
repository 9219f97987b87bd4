"""The seam: every change of state reaches each subscriber, inside the verb's transaction."""

import pytest

from exchanges import seam, services
from exchanges.models import Application, ApplicationEvent, State
from tests.exchanges.conftest import emails_queued, make_application
from tests.factories import StartupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen():
    """The transitions a subscriber registered for this test sees, with the row as saved."""
    transitions = []

    def follow(transition: seam.Transition) -> None:
        saved = Application.objects.get(pk=transition.application.pk)
        transitions.append((transition, saved.state))

    seam.subscribe(follow)
    yield transitions
    seam.unsubscribe(follow)


@pytest.fixture
def failing():
    """A subscriber that raises at the backfill's acceptance."""

    def fail(transition: seam.Transition) -> None:
        if transition.comment == "backfill":
            raise RuntimeError("the subscriber failed")

    seam.subscribe(fail)
    yield
    seam.unsubscribe(fail)


def test_a_subscriber_sees_submit_accept_and_withdraw_with_backfill(world, seen):
    application = make_application(world, motivation="Why", goals="What")
    make_application(world, State.ACCEPTED, startup=StartupFactory())
    waiting = make_application(world, State.WAITLISTED, startup=StartupFactory(), rank=1)

    services.submit_application(application, by=world.owner, consent=True)
    services.accept_application(application, by=world.staff, comment="Strong team")
    services.withdraw_application(application, by=world.owner, comment="Plans changed")

    summary = [
        (t.verb, t.application.pk, t.source, t.target, t.actor, t.by, t.comment, saved)
        for t, saved in seen
    ]
    assert summary == [
        ("submit", application.pk, "draft", "submitted", "owner", world.owner, "", "submitted"),
        (
            "accept",
            application.pk,
            "submitted",
            "accepted",
            "staff",
            world.staff,
            "Strong team",
            "accepted",
        ),
        (
            "withdraw",
            application.pk,
            "accepted",
            "withdrawn",
            "owner",
            world.owner,
            "Plans changed",
            "withdrawn",
        ),
        ("accept", waiting.pk, "waitlisted", "accepted", "system", None, "backfill", "accepted"),
    ]
    recorded = ApplicationEvent.objects.order_by("pk").values_list("at", flat=True)
    assert [t.at for t, _saved in seen] == list(recorded)


def test_a_subscriber_that_raises_undoes_the_whole_change(world, failing):
    application = make_application(world, State.ACCEPTED)
    make_application(world, State.ACCEPTED, startup=StartupFactory())
    waiting = make_application(world, State.WAITLISTED, startup=StartupFactory(), rank=1)

    with pytest.raises(RuntimeError, match="the subscriber failed"):
        services.withdraw_application(application, by=world.owner)

    application.refresh_from_db()
    waiting.refresh_from_db()
    assert (application.state, waiting.state) == (State.ACCEPTED, State.WAITLISTED)
    assert not ApplicationEvent.objects.exists()
    assert emails_queued() == []


def test_subscribing_twice_calls_once(world, seen):
    handler = seam._handlers[-1]
    seam.subscribe(handler)

    services.start_review(make_application(world, State.SUBMITTED), by=world.staff)

    assert [(t.verb, saved) for t, saved in seen] == [("start_review", "in_review")]
