import pytest
from django.urls import reverse

from alliance.mail.models import EmailMessage
from exchanges.models import Application, ApplicationEvent, ExchangeProgramme, State
from startups.models import Startup
from tests.exchanges.conftest import make_application
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, world):
    world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)
    return client


@pytest.mark.parametrize(
    "model", [ExchangeProgramme, Application, Startup], ids=lambda m: m.__name__
)
def test_admin_pages_render(staff_client, world, model):
    make_application(world, State.SUBMITTED)
    opts = model._meta
    obj = model.objects.first()

    changelist = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    change = staff_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )

    assert (changelist.status_code, change.status_code) == (200, 200)


def test_admin_action_calls_the_service(staff_client, world):
    application = make_application(world, State.SUBMITTED)

    response = staff_client.post(
        reverse("admin:exchanges_application_changelist"),
        {"action": "accept", "_selected_action": [application.pk], "post": "yes"},
        follow=True,
    )

    application.refresh_from_db()
    assert application.state == State.ACCEPTED
    assert ApplicationEvent.objects.get().actor == world.staff
    assert EmailMessage.objects.filter(template_key__endswith="application_accepted").count() == 2
    assert "1 application: accepted." in response.content.decode()


def test_admin_action_shows_a_refusal(staff_client, world):
    application = make_application(world, State.REJECTED)

    response = staff_client.post(
        reverse("admin:exchanges_application_changelist"),
        {"action": "accept", "_selected_action": [application.pk], "post": "yes"},
        follow=True,
    )

    assert "This application can no longer be accepted." in response.content.decode()
    assert Application.objects.get().state == State.REJECTED


def test_admin_announce_action(staff_client, world):
    application = make_application(world, State.IN_REVIEW)
    staff_client.post(
        reverse("admin:exchanges_application_changelist"),
        {"action": "stage_reject", "_selected_action": [application.pk], "post": "yes"},
    )
    assert Application.objects.get().state == State.IN_REVIEW

    response = staff_client.post(
        reverse("admin:exchanges_exchangeprogramme_changelist"),
        {"action": "announce_decisions", "_selected_action": [world.programme.pk]},
        follow=True,
    )

    assert Application.objects.get().state == State.REJECTED
    assert "1 decision announced." in response.content.decode()


def test_staging_more_acceptances_than_seats_warns(staff_client, world):
    world.programme.seats = 1
    world.programme.save()
    first = make_application(world, State.IN_REVIEW)
    second = make_application(world, State.IN_REVIEW, startup=MembershipFactory().startup)

    response = staff_client.post(
        reverse("admin:exchanges_application_changelist"),
        {"action": "stage_accept", "_selected_action": [first.pk, second.pk], "post": "yes"},
        follow=True,
    )

    assert "2 acceptances are staged but only 1 of 1 seats are free." in response.content.decode()
    assert set(Application.objects.values_list("state", flat=True)) == {State.IN_REVIEW}
