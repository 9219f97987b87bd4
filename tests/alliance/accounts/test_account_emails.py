"""Issue 15 (1): the account emails in the portal's own wording, in English and German.

Each email is triggered through the real pages, read from the outbox, and its link is
followed with the test client: it is absolute at SITE_URL and does what it says.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction

from alliance.accounts.models import User
from alliance.mail.models import EmailMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
NEW_PASSWORD = "another-long-passphrase-7"
SITE_URL = "https://portal.example"  # not the test client's host: links must use it
SITE_NAME = "Start Alliance Berlin"
SUBJECTS = {
    "en": {
        "email_confirmation_signup": "Confirm your email address for Start Alliance Berlin",
        "email_confirmation": "Confirm your email address for Start Alliance Berlin",
        "account_already_exists": "You already have an account at Start Alliance Berlin",
        "unknown_account": "No account at Start Alliance Berlin with this address",
        "password_reset_key": "Choose a new password for Start Alliance Berlin",
    },
    "de": {
        "email_confirmation_signup": "Bestätigen Sie Ihre E-Mail-Adresse für Start Alliance Berlin",
        "email_confirmation": "Bestätigen Sie Ihre E-Mail-Adresse für Start Alliance Berlin",
        "account_already_exists": "Sie haben bereits ein Konto bei Start Alliance Berlin",
        "unknown_account": "Kein Konto bei Start Alliance Berlin mit dieser Adresse",
        "password_reset_key": "Wählen Sie ein neues Passwort für Start Alliance Berlin",
    },
}
# The greeting and the sign-off of the portal's emails, in each language.
GREETING = {"en": "Hello,", "de": "Guten Tag,"}
SIGN_OFF = {
    "en": "Your Start Alliance team at Berlin Partner",
    "de": "Ihr Start-Alliance-Team bei Berlin Partner",
}
# What allauth's own templates say when the site's name is missing.
BROKEN = ("Hello from", "Thank you for using", " !", "register an account on .", "Hallo von")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def post(client, url: str, data: dict):
    with transaction.atomic():
        return client.post(url, data)


def only_email(template: str) -> EmailMessage:
    """The one outbox row of account email `template`."""
    return EmailMessage.objects.get(template_key=f"account/email/{template}")


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", message.body_text)


def path_of(link: str) -> str:
    """The path (and query) of a link at SITE_URL, to follow it with the test client."""
    assert link.startswith(f"{SITE_URL}/"), link
    return link.removeprefix(SITE_URL)


def assert_portal_wording(message: EmailMessage, template: str, language: str) -> None:
    text = message.body_text
    assert message.language == language
    assert message.subject == SUBJECTS[language][template]
    assert text.startswith(f"{GREETING[language]}\n\n")
    assert SITE_NAME in text
    assert text.rstrip().endswith(SIGN_OFF[language])
    for broken in BROKEN:
        assert broken not in message.subject
        assert broken not in text
    assert SIGN_OFF[language] in message.body_html
    assert message.confidential is True


def signup(client, language: str, email: str = "ada@example.com"):
    return post(
        client,
        f"/{language}/accounts/signup/",
        {"name": "Ada Founder", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_signup_verification_reads_right_and_its_link_verifies(client, language):
    signup(client, language)

    message = only_email("email_confirmation_signup")
    [link] = links_in(message)
    page = client.get(path_of(link))
    confirmed = client.post(path_of(link))

    assert_portal_wording(message, "email_confirmation_signup", language)
    assert "ada@example.com" in message.body_text
    assert link.startswith(f"{SITE_URL}/{language}/accounts/confirm-email/")
    assert page.status_code == 200
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="ada@example.com").verified is True
    assert User.objects.get(email="ada@example.com").email_verified_at is not None


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_resent_verification_reads_right_and_its_link_verifies(client, language):
    user = UserFactory(email="ada@example.com", password=PASSWORD, language=language)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    client.force_login(user)

    response = post(
        client, f"/{language}/accounts/email/", {"email": user.email, "action_send": ""}
    )
    message = only_email("email_confirmation")
    [link] = links_in(message)
    client.logout()
    confirmed = client.post(path_of(link))

    assert response.status_code == 302
    assert_portal_wording(message, "email_confirmation", language)
    assert link.startswith(f"{SITE_URL}/{language}/accounts/confirm-email/")
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="ada@example.com").verified is True


@pytest.mark.parametrize("language", ["en", "de"])
def test_signing_up_again_tells_the_owner_with_working_links(client, language):
    UserFactory(email="ada@example.com", password=PASSWORD, language=language)

    signup(client, language)
    message = only_email("account_already_exists")
    login_link, reset_link = links_in(message)
    login_page = client.get(path_of(login_link))
    reset_page = client.get(path_of(reset_link))

    assert_portal_wording(message, "account_already_exists", language)
    assert "ada@example.com" in message.body_text
    assert login_link == f"{SITE_URL}/{language}/accounts/login/"
    assert reset_link == f"{SITE_URL}/{language}/accounts/password/reset/"
    assert login_page.status_code == 200
    assert 'name="password"' in login_page.content.decode()
    assert reset_page.status_code == 200
    assert 'name="email"' in reset_page.content.decode()
    assert not EmailMessage.objects.exclude(pk=message.pk).exists()


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_reset_for_an_unknown_address_offers_sign_up(client, language):
    post(client, f"/{language}/accounts/password/reset/", {"email": "nobody@example.com"})

    message = only_email("unknown_account")
    [link] = links_in(message)
    page = client.get(path_of(link))

    assert_portal_wording(message, "unknown_account", language)
    assert "nobody@example.com" in message.body_text
    assert link == f"{SITE_URL}/{language}/accounts/signup/"
    assert page.status_code == 200
    assert 'name="password1"' in page.content.decode()


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_password_reset_reads_right_and_its_link_sets_a_new_password(client, language):
    user = UserFactory(email="ada@example.com", password=PASSWORD, language=language)

    post(client, f"/{language}/accounts/password/reset/", {"email": "ada@example.com"})
    message = only_email("password_reset_key")
    [link] = links_in(message)
    form = client.get(path_of(link), follow=True)
    form_path = form.redirect_chain[-1][0] if form.redirect_chain else path_of(link)
    done = post(client, form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    user.refresh_from_db()
    assert_portal_wording(message, "password_reset_key", language)
    assert link.startswith(f"{SITE_URL}/{language}/accounts/password/reset/key/")
    assert form.status_code == 200
    assert 'name="password1"' in form.content.decode()
    assert done.status_code == 302
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("language", ["en", "de"])
def test_account_emails_are_in_the_recipients_language(client, language):
    """A founder who reads German gets German even when asking from an English page."""
    other = "de" if language == "en" else "en"
    UserFactory(email="ada@example.com", language=language)

    post(client, f"/{other}/accounts/password/reset/", {"email": "ada@example.com"})

    message = only_email("password_reset_key")
    assert message.subject == SUBJECTS[language]["password_reset_key"]
    assert message.body_text.startswith(GREETING[language])
