"""The session and its user: read in one query, then kept in the cache.

alliance/accounts/sessions.py
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.accounts.models import User, UserSession
from alliance.accounts.sessions import USER_PREFIX, SessionStore, cached_user
from alliance.accounts.staff_security import end_other_sessions
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
    return response, list(queries)  # the next request empties the connection's log


def test_a_session_not_in_the_cache_is_read_with_its_user_in_one_query(client):
    user = UserFactory(name="Ada Founder")
    client.force_login(user)
    cache.clear()  # as after the entry expired, or a restart of Redis

    response, queries = open_profile(client)

    assert response.status_code == 200
    assert response.context["user"].pk == user.pk
    assert "Ada Founder" in response.content.decode()
    asked = who_asks(queries)
    assert len(asked) == 1
    assert 'LEFT JOIN "accounts_user"' in asked[0]


def test_a_page_viewed_again_asks_the_database_nothing_about_who_is_asking(client):
    user = UserFactory(name="Ada Founder")
    client.force_login(user)  # login writes the session to the cache, not yet its user
    _first, first = open_profile(client)

    response, queries = open_profile(client)

    assert len(who_asks(first)) == 1
    assert who_asks(queries) == []
    assert response.context["user"].pk == user.pk
    assert "Ada Founder" in response.content.decode()


def test_the_cached_user_holds_no_password_hash_and_saves_without_losing_it(client):
    user = UserFactory(name="Ada Founder", password="a-long-passphrase-42")
    client.force_login(user)
    open_profile(client)

    kept = cache.get(f"{USER_PREFIX}{user.pk}")
    cached = cached_user(user.pk)
    cached.name = "Ada Lovelace"
    cached.save()  # the deferred password hash is not written back

    assert "password" not in kept
    assert user.password not in kept.values()
    assert kept["session_auth_hash"] == user.get_session_auth_hash()
    saved = User.objects.get(pk=user.pk)
    assert saved.name == "Ada Lovelace"
    assert saved.check_password("a-long-passphrase-42")


def test_the_joined_user_is_a_whole_user_without_the_sessions_data(client):
    user = UserFactory(name="Ada Founder", language="de", time_zone="Europe/Berlin")
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    cache.clear()

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
    cache.clear()

    response, queries = open_profile(client)

    assert response.status_code == 200
    assert response.context["user"].pk == user.pk
    assert len(who_asks(queries)) == 2  # the session, then Django's own lookup of the user


def test_a_deactivated_user_is_logged_out(client):
    user = UserFactory()
    client.force_login(user)
    open_profile(client)  # the user is in the cache now
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_a_password_changed_elsewhere_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    open_profile(client)
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
    cache.clear()  # a cached session expires with it (SESSION_CACHE_SECONDS at most)

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
    open_profile(client)

    client.post("/en/accounts/logout/")

    assert client.get(PROFILE).status_code == 302
    assert not UserSession.objects.filter(user=user).exists()


def test_ending_the_other_sessions_ends_them_though_they_were_cached(client, django_user_model):
    from django.test import Client

    user = UserFactory()
    here, there = Client(), Client()
    here.force_login(user)
    there.force_login(user)
    assert open_profile(there)[0].status_code == 200  # cached now

    ended = end_other_sessions(user, keep=here.cookies[settings.SESSION_COOKIE_NAME].value)

    assert ended == 1
    assert open_profile(there)[0].status_code == 302
    assert open_profile(here)[0].status_code == 200


@pytest.mark.redis
def test_the_cache_keeps_a_session_no_longer_than_it_lives(client):
    client.force_login(UserFactory())
    session = client.session
    session.set_expiry(2)
    session.save()

    ttl = cache._cache.get_client().ttl(cache.make_key(f"alliance.session:{session.session_key}"))

    assert 0 < ttl <= 2


def test_a_cached_user_entry_of_another_version_is_read_afresh(client):
    user = UserFactory(name="Ada Founder")
    client.force_login(user)
    open_profile(client)
    key = f"{USER_PREFIX}{user.pk}"
    cache.set(key, {"id": user.pk, "email": user.email})  # fields of another release

    response, queries = open_profile(client)

    assert response.context["user"].name == "Ada Founder"
    assert len(who_asks(queries)) == 1


def test_the_admin_asks_about_the_password_without_reading_it(admin_client):
    # Its header links "change password" for a user with a usable password.
    admin_client.get("/admin/")

    with CaptureQueriesContext(connection) as captured:
        index = admin_client.get("/admin/")

    assert index.status_code == 200
    assert "/admin/password_change/" in index.content.decode()
    assert who_asks(list(captured)) == []
