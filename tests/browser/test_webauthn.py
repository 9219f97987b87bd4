"""A staff member's security key in a real browser: Chromium's virtual authenticator
(through the DevTools protocol) registers a key on allauth's page, and the next login
takes the password and then the key before the admin opens."""

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
EMAIL = "staff@berlin-partner.example"


@pytest.fixture
def authenticator(page: Page) -> dict:
    """A platform authenticator that holds passkeys and always verifies its user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return {"cdp": cdp, "id": added["authenticatorId"]}


def log_in_with_password(page: Page) -> None:
    page.get_by_label("Email:").fill(EMAIL)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()


def test_a_security_key_is_registered_and_then_needed_for_the_admin(
    live_server, page: Page, authenticator, settings
):
    settings.STAFF_MFA_REQUIRED = True
    staff = UserFactory(email=EMAIL, is_staff=True, is_superuser=True)

    page.goto(f"{live_server.url}/admin/")
    log_in_with_password(page)
    # No second factor yet: the admin sends staff to set one up.
    expect(page.get_by_text("Staff accounts need two-factor authentication")).to_be_visible()

    page.goto(f"{live_server.url}/en/accounts/2fa/webauthn/add/")
    page.get_by_label("Password:").fill(PASSWORD)  # allauth asks for it again first
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name:").fill("Office key")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.WEBAUTHN).exists()
    credentials = authenticator["cdp"].send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["id"]}
    )["credentials"]
    assert len(credentials) == 1

    # Registering the key counted as using it: the admin opens in this session.
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Berlin Partner staff")).to_be_visible()

    page.goto(f"{live_server.url}/en/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()

    page.goto(f"{live_server.url}/admin/")
    log_in_with_password(page)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", name="Berlin Partner staff")).to_be_visible()
    assert page.url == f"{live_server.url}/admin/"
    key = Authenticator.objects.get(user=staff, type=Authenticator.Type.WEBAUTHN)
    assert key.last_used_at is not None
