"""Issue 16 (3): the apply journey in Arabic in a real browser, and a mirrored layout.

From a programme's Arabic page to a submitted application by clicks only (the email's
link aside), as tests/browser/test_founder_journey.py does in English and German; then
the Arabic home page is laid out right to left: the main navigation starts at the right,
and nothing overflows a phone's width.
"""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from alliance.mail.models import EmailMessage
from alliance.mail.templates import sync_defaults
from exchanges.models import Application, State
from tests.browser.helpers import enter, link_sent_to
from tests.factories import CityFactory, ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"
EMAIL = "ada-ar@orbit.example"


def arabic(msgid: str, **values: str) -> str:
    """What the portal shows for `msgid` in Arabic: the buttons' and labels' names."""
    with translation.override("ar"):
        text = gettext(msgid)
        return text % values if values else text


@pytest.fixture
def ui_languages(settings):
    """Arabic on the site, whatever UI_LANGUAGES says (the server thread reads these),
    and the email templates' defaults in it."""
    settings.LANGUAGES = list(settings.NETWORK_LANGUAGES)
    sync_defaults()


@pytest.mark.usefixtures("ui_languages")
def test_a_founder_applies_in_arabic_and_the_layout_is_mirrored(live_server, page: Page):
    CityFactory(slug="berlin", name_en="Berlin", name_ar="برلين", country="DE", is_hub=True)
    programme = ProgrammeFactory(
        title_en="Tel Aviv Exchange", title_ar="برنامج تبادل تل أبيب", requires_pitch_deck=False
    )
    programme_url = f"{live_server.url}/ar/programmes/{programme.slug}/"
    page.goto(programme_url)  # typed once; from here on only clicks and the email's link
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_contain_text("برنامج تبادل تل أبيب")

    sign_up_and_log_in(page)
    create_startup(page)

    # Application: from the programme's page to its form, the review and the submit.
    expect(page).to_have_url(f"{programme_url}#apply-heading")
    apply_and_submit(page, live_server.url)

    with translation.override("ar"):
        submitted = str(State.SUBMITTED.label)
    expect(page.locator(".state")).to_have_text(submitted)
    application = Application.objects.get()
    assert (application.state, application.startup.name) == (State.SUBMITTED, "Orbit Labs")
    receipt = EmailMessage.objects.get(template_key__endswith="application_submitted")
    assert (receipt.recipient, receipt.language) == (EMAIL, "ar")
    assert receipt.subject == arabic(
        "Application received: %(startup)s for %(programme)s",
        startup="Orbit Labs",
        programme="برنامج تبادل تل أبيب",
    )

    check_mirrored(page, live_server.url)


def sign_up_and_log_in(page: Page) -> None:
    """Sign up from the programme's page, with a name; the email's link; the login."""
    page.locator('.apply a[href*="/ar/accounts/signup/"]').click()
    page.locator("#id_name").fill("Ada Lovelace")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=arabic("Sign Up"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/ar/accounts/confirm-email/\?next="))

    # The link in the email, then the login.
    page.goto(link_sent_to(EMAIL))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("button", name=arabic("Confirm")).click()
    expect(page).to_have_url(re.compile(r"/ar/accounts/login/\?next="))
    page.locator("#id_login").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=arabic("Sign In"), exact=True).click()


def create_startup(page: Page) -> None:
    """Back on the programme's page, logged in: on to the start-up form and save it."""
    expect(page).to_have_url(re.compile(r"/ar/programmes/[\w-]+/#apply-heading$"))
    expect(page.locator(".account-nav")).to_contain_text("Ada")
    page.locator(".apply").get_by_role("link", name=arabic("Create a start-up")).click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#id_name").fill("Orbit Labs")
    page.locator("#id_city").select_option("berlin")
    enter(page, "#id_founded_year", "2023")
    enter(page, "#id_founded_month", "4")
    page.locator("#id_sector").select_option("industry")
    page.locator("#id_stage").select_option("seed")
    page.locator("#id_product_launched").check()
    page.locator("#id_team_size").fill("6")
    page.locator("#id_pitch").fill("Robots that pick parcels.")
    page.get_by_role("button", name=arabic("Save"), exact=True).click()


def apply_and_submit(page: Page, base: str) -> None:
    """Start the application from the programme's page, fill it in, review and submit it."""
    page.get_by_role(
        "button", name=arabic("Start an application for %(startup)s", startup="Orbit Labs")
    ).click()
    application = Application.objects.get()
    expect(page).to_have_url(f"{base}/ar/applications/{application.pk}/edit/")
    page.get_by_label(arabic("Why do you want to take part?")).fill("دخول سوق الخليج.")
    page.get_by_label(arabic("What do you want to reach in the market?")).fill("خمسة عملاء.")
    page.get_by_role("button", name=arabic("Review and submit")).click()
    expect(page).to_have_url(f"{base}/ar/applications/{application.pk}/review/")
    page.locator("#id_consent").check()
    page.get_by_role("button", name=arabic("Submit the application")).click()
    expect(page).to_have_url(f"{base}/ar/applications/{application.pk}/")


def check_mirrored(page: Page, base: str) -> None:
    """The Arabic home page: the navigation's first link at the right, no sideways scroll."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/ar/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    links = page.locator(".site-header nav").first.get_by_role("link")
    first, last = links.first.bounding_box(), links.last.bounding_box()
    assert links.count() >= 2
    assert first["x"] >= last["x"] + last["width"], (first, last)

    # And at a phone's width nothing sticks out sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
