import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from alliance.celery_app import app as project_app
from alliance.mail.models import EmailMessage
from exchanges.models import SEAT_STATES, ApplicationEvent, State
from startups.models import Role
from tests.factories import (
    ApplicationFactory,
    ContactFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)

STAFF_INBOX = "staff@berlin-partner.example"


def staff_user(**fields):
    """A staff member allowed to see, review and decide every programme's applications."""
    user = UserFactory(is_staff=True, **fields)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="exchanges",
            codename__in=[
                "view_application",
                "change_application",
                "review_application",
                "decide_application",
                "see_every_programme",
            ],
        )
    )
    return user


@pytest.fixture
def manager(world):
    """A programme manager of the world's programme only (permissions, no role group)."""
    user = staff_user(email="manager@berlin-partner.example")
    user.user_permissions.remove(Permission.objects.get(codename="see_every_programme"))
    world.programme.managers.add(user)
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def world(settings):
    """A published, open programme; a start-up with a verified owner and a member; staff."""
    settings.STAFF_INBOX = [STAFF_INBOX]
    programme = ProgrammeFactory(seats=2)
    ContactFactory(
        organisation=programme.host_organisation, email="host@partner.example", language="de"
    )
    ContactFactory(
        organisation=programme.host_organisation,
        email="quiet@partner.example",
        receives_notifications=False,
    )
    owner = MembershipFactory(
        role=Role.OWNER, user__email="owner@startup.example", user__language="de"
    )
    member = MembershipFactory(
        startup=owner.startup, role=Role.MEMBER, user__email="member@startup.example"
    )
    return SimpleNamespace(
        programme=programme,
        startup=owner.startup,
        owner=owner.user,
        member=member.user,
        staff=staff_user(email="reviewer@berlin-partner.example"),
    )


def make_application(world, state: State = State.DRAFT, **fields):
    """An application of the world's start-up in `state`, as the services would have left it."""
    now = timezone.now()
    if state != State.DRAFT:
        fields.setdefault("submitted_at", now - datetime.timedelta(days=2))
        fields.setdefault("consent_at", now - datetime.timedelta(days=2))
    if state in SEAT_STATES:
        fields.setdefault("confirm_by", now + datetime.timedelta(days=3))
    fields.setdefault("startup", world.startup)
    return ApplicationFactory(
        programme=world.programme, state=state, created_by=world.owner, **fields
    )


def emails_queued() -> list[tuple[str, str, str]]:
    """Every queued email as (template, recipient, language), sorted: duplicates count."""
    return sorted(
        (message.template_key.rsplit("/", 1)[-1], message.recipient, message.language)
        for message in EmailMessage.objects.all()
    )


def history(application) -> list[tuple]:
    return list(
        ApplicationEvent.objects.filter(application=application).values_list(
            "verb", "from_state", "to_state", "actor_id"
        )
    )


@pytest.fixture
def real_broker():
    """Publish to Redis instead of running tasks in this process; start from an empty queue."""
    project_app.conf.task_always_eager = False
    project_app.control.purge()
    yield
    project_app.control.purge()
    project_app.conf.task_always_eager = True
