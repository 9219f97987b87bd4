"""Start-up services under concurrency: real threads on PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.test import Client

from startups.models import Role, Startup
from tests.factories import CityFactory, UserFactory
from tests.helpers import at_once

PROFILE = {
    "name": "Acme",
    "city": "berlin",
    "other_city": "",
    "country": "DE",
    "founded_year": "2023",
    "founded_month": "4",
    "sector": "industry",
    "stage": "seed",
    "team_size": "6",
    "pitch": "Robots that pick parcels.",
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_start_ups_of_one_name_at_once_all_get_their_own_slug():
    CityFactory(slug="berlin", country="DE")
    users = [UserFactory() for _ in range(8)]
    barrier = threading.Barrier(len(users), timeout=30)
    answers: dict[int, tuple[int, str]] = {}

    def create(user) -> None:
        try:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            barrier.wait()
            response = client.post("/en/startups/new/", PROFILE)
            answers[user.pk] = (response.status_code, response.get("Location", ""))
        finally:
            connection.close()

    at_once(create, [(user,) for user in users], timeout=60)

    slugs = {"acme", *(f"acme-{number}" for number in range(2, 9))}
    assert sorted(status for status, _location in answers.values()) == [302] * 8
    assert {location for _status, location in answers.values()} == {
        f"/en/startups/{slug}/" for slug in slugs
    }
    assert set(Startup.objects.values_list("slug", flat=True)) == slugs
    owners = Startup.objects.filter(memberships__role=Role.OWNER)
    assert sorted(owners.values_list("memberships__user", flat=True)) == sorted(
        user.pk for user in users
    )


@pytest.mark.django_db
def test_a_reserved_or_empty_name_gets_a_slug_that_is_a_start_up_page(client):
    CityFactory(slug="berlin", country="DE")
    client.force_login(UserFactory())

    new = client.post("/en/startups/new/", {**PROFILE, "name": "New"})
    symbols = client.post("/en/startups/new/", {**PROFILE, "name": "!!!"})

    assert (new["Location"], symbols["Location"]) == (
        "/en/startups/new-2/",
        "/en/startups/startup/",
    )
