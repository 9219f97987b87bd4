"""Database constraints of the exchanges and start-ups models, hit with plain saves."""

import datetime

import pytest

from exchanges.models import Application, State
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    ProgrammeFactory,
    StartupFactory,
)
from tests.helpers import refused_by_database

pytestmark = pytest.mark.django_db


def test_one_application_per_startup_and_programme():
    application = ApplicationFactory()

    assert refused_by_database(
        lambda: ApplicationFactory(programme=application.programme, startup=application.startup)
    )
    assert ApplicationFactory(startup=application.startup).pk  # another programme is fine


@pytest.mark.parametrize(
    "fields",
    [
        {"state": "lost"},
        {"pending_decision": "confirm"},
        {"rank": 0},
        {"state": State.ACCEPTED, "confirm_by": None},
    ],
    ids=["state", "pending_decision", "rank", "seat_without_deadline"],
)
def test_application_constraint_refuses(fields):
    application = ApplicationFactory.build(
        programme=ProgrammeFactory(), startup=StartupFactory(), **fields
    )

    assert refused_by_database(application.save)
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"seats": 0},
        {"confirmation_days": 0},
        {"status": "secret"},
        {"format": "cruise"},
        {"title_en": ""},
    ],
)
def test_programme_constraint_refuses(fields):
    assert refused_by_database(lambda: ProgrammeFactory(**fields))


def test_programme_call_must_close_after_it_opens():
    moment = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)

    assert refused_by_database(
        lambda: ProgrammeFactory(applications_open_at=moment, applications_close_at=moment)
    )


def test_programme_must_not_end_before_it_starts():
    day = datetime.date(2027, 5, 1)

    assert refused_by_database(
        lambda: ProgrammeFactory(starts_on=day, ends_on=day - datetime.timedelta(days=1))
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"city": None, "other_city": ""},
        {"founded_month": 13},
        {"team_size": 0},
        {"sector": "mining"},
        {"stage": "ipo"},
    ],
    ids=["home_city", "month", "team_size", "sector", "stage"],
)
def test_startup_constraint_refuses(fields):
    assert refused_by_database(lambda: StartupFactory(**fields))


def test_startup_elsewhere_with_a_named_city():
    assert StartupFactory(city=None, other_city="Lisbon", country="PT").pk


def test_membership_once_per_person_and_startup():
    membership = MembershipFactory()

    assert refused_by_database(
        lambda: MembershipFactory(user=membership.user, startup=membership.startup)
    )
