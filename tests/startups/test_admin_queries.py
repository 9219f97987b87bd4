"""The start-up's admin page makes the same queries whatever the size of its team."""

import pytest
from django.urls import reverse

from startups.models import Role
from tests.factories import MembershipFactory, StartupFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def change_page(startup) -> str:
    return reverse("admin:startups_startup_change", args=[startup.pk])


def team_of(members: int, owner: str = "owner@example.com"):
    startup = StartupFactory()
    MembershipFactory(startup=startup, role=Role.OWNER, user__email=owner)
    MembershipFactory.create_batch(members - 1, startup=startup, role=Role.MEMBER)
    return startup


@pytest.mark.parametrize("members", [1, 10])
def test_the_change_page_makes_the_same_queries_for_1_and_10_members(
    superuser_client, django_assert_num_queries, members
):
    startup = team_of(members)
    superuser_client.get(
        change_page(team_of(1, owner="other@example.com"))
    )  # a first page warms up (and puts the session and its user in the cache)

    with django_assert_num_queries(3):
        response = superuser_client.get(change_page(startup))

    assert response.status_code == 200
    assert response.content.decode().count('name="memberships-') > members  # every row shown


def test_the_member_rows_show_their_users(superuser_client):
    startup = team_of(3)

    response = superuser_client.get(change_page(startup))

    page = response.content.decode()
    assert page.count('<option value="') >= 3
    assert "owner@example.com" in page
