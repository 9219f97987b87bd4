"""Issue 15 (11): leaving asks first, applications are links, the form asks what a person
expects (marked required fields, countries of the network first, a month, stages in order)."""

import pytest

from exchanges.models import State
from startups.forms import StartupForm
from startups.models import Membership, Role
from tests.factories import ApplicationFactory, CityFactory, MembershipFactory, UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER)


def test_leave_asks_for_confirmation_first(client, owner):
    member = MembershipFactory(startup=owner.startup, role=Role.MEMBER)
    client.force_login(member.user)

    response = client.get(f"/en/startups/{owner.startup.slug}/leave/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Leave the team of <bdi>{owner.startup.name}</bdi>?" in response.content.decode()
    assert '<button type="submit" class="button button--danger">Yes, leave the team</button>' in (
        html
    )
    assert Membership.objects.filter(user=member.user).exists()


def test_leave_confirmed_leaves_the_team(client, owner):
    member = MembershipFactory(startup=owner.startup, role=Role.MEMBER)
    client.force_login(member.user)

    response = client.post(f"/en/startups/{owner.startup.slug}/leave/")

    assert response["Location"] == "/en/startups/"
    assert not Membership.objects.filter(user=member.user).exists()


def test_the_last_owner_is_told_before_confirming(client, owner):
    client.force_login(owner.user)

    text = text_of(client.get(f"/en/startups/{owner.startup.slug}/leave/"))

    assert "A start-up always keeps an owner: make someone else owner first." in text
    assert "Yes, leave the team" not in text


def test_the_startup_page_offers_leaving_as_a_secondary_link(client, owner):
    client.force_login(owner.user)

    html = client.get(f"/en/startups/{owner.startup.slug}/").content.decode()

    assert (
        f'<a class="button button--secondary" href="/en/startups/{owner.startup.slug}/leave/">'
        "Leave this team</a>" in html
    )


def test_the_startup_page_links_its_applications_with_badges(client, owner):
    application = ApplicationFactory(startup=owner.startup, state=State.DRAFT)
    client.force_login(owner.user)

    html = client.get(f"/en/startups/{owner.startup.slug}/").content.decode()

    assert (
        f'<a href="/en/applications/{application.pk}/">{application.programme.title}</a> '
        '<span class="badge badge--draft">draft</span>' in html
    )


def test_the_startup_form_lists_the_networks_countries_first():
    CityFactory(slug="berlin", country="DE")
    CityFactory(slug="tel-aviv", country="IL")

    choices = StartupForm().fields["country"].choices

    assert choices[0][0] == ""
    assert [str(choices[1][0]), choices[1][1]] == [
        "Countries of the network",
        [("DE", "Germany"), ("IL", "Israel")],
    ]
    assert str(choices[2][0]) == "All countries"
    assert len(choices[2][1]) > 240


def test_the_startup_form_asks_a_month_and_stages_in_order():
    form = StartupForm()

    months = [label for _value, label in form.fields["founded_month"].choices]
    stages = [label for _value, label in form.fields["stage"].choices]
    order = list(form.fields)

    assert months[1:4] == ["January", "February", "March"]
    assert stages == ["Choose a stage", "Idea", "Pre-seed", "Seed", "Series A", "Later"]
    assert order.index("founded_month") == order.index("founded_year") - 1


def test_the_startup_form_marks_required_fields_and_the_pitch_limit(client):
    client.force_login(UserFactory())

    response = client.get("/en/startups/new/")

    text = text_of(response)
    assert "Fields marked * are required." in text
    assert "Name: * (required)" in text
    assert "Month founded: * (required)" in text
    assert "Other home city: (required)" not in text
    assert "At most 500 characters." in text


def test_the_startup_form_takes_a_month(client):
    CityFactory(slug="berlin", country="DE")
    client.force_login(UserFactory())

    client.post(
        "/en/startups/new/",
        {
            "name": "Orbit Robotics",
            "city": "berlin",
            "founded_month": "4",
            "founded_year": "2023",
            "sector": "industry",
            "stage": "seed",
            "team_size": "6",
            "pitch": "Robots that pick parcels.",
        },
    )

    startup = Membership.objects.get().startup
    assert (startup.founded_year, startup.founded_month, startup.country) == (2023, 4, "DE")


def test_errors_appear_at_the_field_and_in_a_summary(client):
    client.force_login(UserFactory())

    response = client.post("/en/startups/new/", {"name": "", "team_size": "0"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="error-summary alert alert--error" role="alert" tabindex="-1" autofocus' in (
        html
    )
    assert '<a href="#id_name">Name: This field is required.</a>' in html
    assert '<a href="#id_other_city">Choose a city of the network or name another.</a>' in html
    assert 'name="name" maxlength="200" dir="auto" required aria-invalid="true"' in html
    assert 'aria-describedby="id_name_error"' in html
    assert '<div class="field-error" id="id_name_error">' in html
