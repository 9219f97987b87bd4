"""The session and its user read in one query (alliance/accounts/sessions.py)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.accounts.models import UserSession
from alliance.accounts.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/en/accounts/profile/"


def who_asks(queries) -> list[str]:
    """The statements that read the session or the user."""
    return [
        query["sql"]
        for query in queries
        if '"django_session"' in query["sql"] or 'FROM "accounts_user"' in query["sql"]
    ]


def open_profile(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROFILE)
    return response, queries


def test_a_logged_in_page_reads_the_session_and_its_user_in_one_query(client):
    user = UserFactory(name="Ada Founder")
    client.force_login(user)

    response, queries = open_profile(client)

    assert response.status_code == 200
    assert response.context["user"].pk == user.pk
    assert "Ada Founder" in response.content.decode()
    asked = who_asks(queries)
    assert len(asked) == 1
    assert 'LEFT JOIN "accounts_user"' in asked[0]


def test_the_joined_user_is_a_whole_user_without_the_sessions_data(client):
    user = UserFactory(name="Ada Founder", language="de", time_zone="Europe/Berlin")
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    store = SessionStore(session_key=key)
    store.load()
    joined = store.joined_user

    assert joined.pk == user.pk
    assert (joined.email, joined.name, joined.language) == (user.email, "Ada Founder", "de")
    assert joined.date_joined == user.date_joined  # a datetime, converted as the ORM does
    assert joined.password == user.password
    assert not hasattr(joined, "joined_session_data")


def test_a_session_without_its_usersession_row_still_finds_its_user(client):
    user = UserFactory()
    client.force_login(user)
    UserSession.objects.filter(user=user).delete()

    response, queries = open_profile(client)

    assert response.status_code == 200
    assert response.context["user"].pk == user.pk
    assert len(who_asks(queries)) == 2  # the session, then Django's own lookup of the user


def test_a_deactivated_user_is_logged_out(client):
    user = UserFactory()
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_a_password_changed_elsewhere_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    user.set_password("another-long-passphrase-7")
    user.save(update_fields=["password"])

    response = client.get(PROFILE)

    assert response.status_code == 302
    assert not Session.objects.filter(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    ).exists()


def test_an_expired_session_is_no_session(client):
    client.force_login(UserFactory())
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(PROFILE)

    assert response.status_code == 302


def test_a_session_row_of_another_user_never_lends_its_user(client):
    # The UserSession row names the session's user; a session whose data names
    # someone else (never made by login) gets that one from Django's lookup, not the row's.
    ada, bob = UserFactory(name="Ada"), UserFactory(name="Bob")
    client.force_login(ada)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    UserSession.objects.filter(session_key=key).update(user=bob)

    response = client.get(PROFILE)

    assert response.context["user"].pk == ada.pk


@pytest.mark.parametrize("cookie", ["abc'--" + "a" * 30, "é" * 32, "a" * 5000, "a-b" * 12])
def test_a_strange_session_cookie_is_no_session(client, cookie):
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie

    response = client.get("/en/")

    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_a_session_key_with_a_nul_byte_reads_nothing():
    # The request's bad-input guard answers 400 before; the store refuses it on its own.
    store = SessionStore(session_key="\x00" * 32)

    assert store.load() == {}
    assert store.joined_user is None


def test_logging_out_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)

    client.post("/en/accounts/logout/")

    assert client.get(PROFILE).status_code == 302
    assert not UserSession.objects.filter(user=user).exists()
