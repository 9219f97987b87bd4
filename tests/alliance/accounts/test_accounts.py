import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from alliance.accounts.adapter import AccountAdapter
from alliance.accounts.models import User
from alliance.mail.models import EmailMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def link_in(message: EmailMessage) -> str:
    return re.search(r"https?://\S+", message.body_text).group(0)


def signup(client, email: str, language: str = "en"):
    with transaction.atomic():
        return client.post(
            f"/{language}/accounts/signup/",
            {"name": "Ada Founder", "email": email, "password1": PASSWORD, "password2": PASSWORD},
        )


def test_signup_in_german_sends_the_verification_through_the_outbox(client):
    response = signup(client, "Founder@Example.COM", "de")

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.language, user.email_verified_at) == (
        "founder@example.com",
        "de",
        None,
    )
    message = EmailMessage.objects.get()
    assert message.recipient == "founder@example.com"
    assert (message.language, message.confidential) == ("de", True)
    assert message.subject == "Bestätigen Sie Ihre E-Mail-Adresse für Start Alliance Berlin"
    assert "/de/accounts/confirm-email/" in message.body_text


def test_following_the_verification_link_verifies_the_user(client):
    signup(client, "founder@example.com")
    link = link_in(EmailMessage.objects.get())
    path = link.split("testserver", 1)[-1]

    page = client.get(path)
    confirmed = client.post(path)

    user = User.objects.get()
    assert page.status_code == 200
    assert confirmed.status_code == 302
    assert user.email_verified_at is not None
    assert EmailAddress.objects.get().verified is True


def test_unverified_users_can_log_in(client):
    UserFactory(email="founder@example.com", password=PASSWORD)

    response = client.post(
        "/en/accounts/login/", {"login": "FOUNDER@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_login_failure_does_not_say_whether_the_email_exists(client):
    UserFactory(email="founder@example.com", password=PASSWORD)

    wrong_password = client.post(
        "/en/accounts/login/", {"login": "founder@example.com", "password": "nope-nope-nope"}
    )
    unknown = client.post(
        "/en/accounts/login/", {"login": "nobody@example.com", "password": "nope-nope-nope"}
    )

    message = "The email address and/or password you specified are not correct."
    assert message in wrong_password.content.decode()
    assert message in unknown.content.decode()
    html = unknown.content.decode()
    assert html.index('role="alert"') < html.index(message)  # announced


def test_password_reset_does_not_reveal_registered_addresses(client):
    UserFactory(email="founder@example.com")

    known = client.post("/en/accounts/password/reset/", {"email": "founder@example.com"})
    unknown = client.post("/en/accounts/password/reset/", {"email": "nobody@example.com"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert sorted(EmailMessage.objects.values_list("recipient", "confidential")) == [
        ("founder@example.com", True),
        ("nobody@example.com", True),
    ]


def test_failed_logins_are_limited_per_ip_without_locking_the_founder_out(client):
    UserFactory(email="founder@example.com", password=PASSWORD)
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(10):
        client.post(
            "/en/accounts/login/",
            {"login": "founder@example.com", "password": "guess-guess-guess"},
            **attacker,
        )

    blocked = client.post(
        "/en/accounts/login/", {"login": "founder@example.com", "password": PASSWORD}, **attacker
    )
    founder = client.post(
        "/en/accounts/login/",
        {"login": "founder@example.com", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )

    assert blocked.status_code == 200
    assert "Too many failed login attempts. Try again later." in blocked.content.decode()
    assert founder.status_code == 302
    assert founder["Location"] == "/en/"


def test_login_ignores_a_next_parameter_pointing_off_site(client):
    UserFactory(email="founder@example.com", password=PASSWORD)

    response = client.post(
        "/en/accounts/login/?next=https://evil.example/steal",
        {"login": "founder@example.com", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_profile_needs_login(client):
    response = client.get("/en/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/accounts/profile/"


def test_profile_changes_name_language_and_time_zone(client):
    user = UserFactory(email="founder@example.com")
    client.force_login(user)

    response = client.post(
        "/en/accounts/profile/",
        {"name": "Ada Founder", "language": "de", "time_zone": "Asia/Jerusalem"},
    )

    user.refresh_from_db()
    assert response.status_code == 302
    assert (user.name, user.language, user.time_zone) == ("Ada Founder", "de", "Asia/Jerusalem")


def test_profile_refuses_an_unknown_time_zone_and_changes_nothing(client):
    user = UserFactory(email="founder@example.com", name="Before")
    client.force_login(user)

    response = client.post(
        "/de/accounts/profile/", {"name": "After", "language": "de", "time_zone": "Mars/Base"}
    )

    user.refresh_from_db()
    assert response.status_code == 200
    assert "Mars/Base ist keine gültige Auswahl." in response.content.decode()
    assert (user.name, user.time_zone) == ("Before", "Europe/Berlin")


def test_logout_needs_a_post(client):
    client.force_login(UserFactory())

    page = client.get("/en/accounts/logout/")
    client.post("/en/accounts/logout/")

    assert page.status_code == 200  # a confirmation page, not a logout
    assert "_auth_user_id" not in client.session


def test_logging_out_keeps_the_pages_language(client):
    client.force_login(UserFactory(language="de"))

    response = client.post("/de/accounts/logout/", headers={"accept-language": "en"})

    assert response["Location"] == "/de/"


def test_signing_up_with_a_registered_address_reveals_nothing(client):
    UserFactory(email="founder@example.com")

    taken = signup(client, "founder@example.com")
    fresh = signup(client, "new@example.com")

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert User.objects.filter(email__iexact="founder@example.com").count() == 1
    assert sorted(EmailMessage.objects.values_list("recipient", flat=True)) == [
        "founder@example.com",
        "new@example.com",
    ]


CSRF_OR_NONCE = re.compile(rb'(name="csrfmiddlewaretoken" value="|nonce=")[^"]*"')


def answer_to_signup(email: str) -> tuple[int, str, list, bytes]:
    """What a fresh visitor sees when signing up with `email`: the POST and the next page."""
    visitor = Client()
    visitor.get("/en/accounts/signup/")
    with transaction.atomic():
        posted = visitor.post(
            "/en/accounts/signup/",
            {"name": "Ada Founder", "email": email, "password1": PASSWORD, "password2": PASSWORD},
        )
    page = visitor.get(posted["Location"])
    cookies = [
        (name, sorted((key, value) for key, value in morsel.items() if key != "expires"))
        for response in (posted, page)
        for name, morsel in sorted(response.cookies.items())
    ]
    return posted.status_code, posted["Location"], cookies, CSRF_OR_NONCE.sub(rb"\1-", page.content)


class CountingHasher(MD5PasswordHasher):
    """The test suite's hasher, counting how often a password is hashed."""

    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


def test_signup_answers_a_registered_and_a_new_address_byte_for_byte_alike(settings):
    settings.PASSWORD_HASHERS = ["tests.alliance.accounts.test_accounts.CountingHasher"]
    UserFactory(email="founder@example.com")
    CountingHasher.hashed = 0

    taken = answer_to_signup("founder@example.com")
    hashed_for_taken = CountingHasher.hashed
    fresh = answer_to_signup("other@example.com")

    assert taken[:3] == fresh[:3]
    assert taken[3].replace(b"founder@example.com", b"other@example.com") == fresh[3]
    assert b"Confirmation email sent to other@example.com." in fresh[3]
    assert (hashed_for_taken, CountingHasher.hashed) == (1, 2)
    assert sorted(EmailMessage.objects.values_list("template_key", "recipient")) == [
        ("account/email/account_already_exists", "founder@example.com"),
        ("account/email/email_confirmation_signup", "other@example.com"),
    ]


def test_the_admin_login_is_the_portals_limited_login(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/2s/ip"}
    UserFactory(email="staff@example.com", password=PASSWORD, is_staff=True)

    page = client.get("/admin/login/?next=/admin/")
    posted = client.post("/admin/login/", {"username": "staff@example.com", "password": PASSWORD})
    for _ in range(3):
        client.post(
            "/en/accounts/login/?next=/admin/",
            {"login": "staff@example.com", "password": "guess-guess-guess"},
        )
    refused = client.post(
        "/en/accounts/login/?next=/admin/", {"login": "staff@example.com", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    time.sleep(2.5)  # the window of the limit passes
    accepted = client.post(
        "/en/accounts/login/?next=/admin/", {"login": "staff@example.com", "password": PASSWORD}
    )

    assert (page.status_code, page["Location"]) == (302, "/en/accounts/login/?next=%2Fadmin%2F")
    assert (posted.status_code, posted["Location"]) == (
        302,
        "/en/accounts/login/?next=%2Fadmin%2Flogin%2F",
    )
    assert refused.status_code == 200
    assert "Too many failed login attempts. Try again later." in refused.content.decode()
    assert (accepted.status_code, accepted["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_a_founder_logged_in_is_refused_by_the_admin(client):
    client.force_login(UserFactory(email="founder@example.com"))

    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_failed_logins_count_per_client_behind_the_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="founder@example.com", password=PASSWORD)
    proxy = "10.0.0.2"
    for number in range(10):
        # The attacker forges a first entry each time; the proxy appends the real address.
        client.post(
            "/en/accounts/login/",
            {"login": "founder@example.com", "password": "guess-guess-guess"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.9",
        )

    attacker = client.post(
        "/en/accounts/login/",
        {"login": "founder@example.com", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    founder = Client().post(
        "/en/accounts/login/",
        {"login": "founder@example.com", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert "Too many failed login attempts. Try again later." in attacker.content.decode()
    assert (founder.status_code, founder["Location"]) == (302, "/en/")


def test_signing_up_again_within_the_cooldown_still_says_the_mail_was_sent(client):
    signup(Client(), "founder@example.com")  # the owner signs up: the cooldown begins

    again = answer_to_signup("founder@example.com")
    fresh = answer_to_signup("other@example.com")

    assert again[:3] == fresh[:3]
    assert b"Confirmation email sent to founder@example.com." in again[3]


def test_a_short_forwarded_for_counts_by_the_address_the_nearest_proxy_saw(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 3
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")

    assert AccountAdapter().get_client_ip(request) == "203.0.113.9"
