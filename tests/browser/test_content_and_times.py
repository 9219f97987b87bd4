"""What a reader sees of untranslated content and of times, in a real browser."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import CityFactory, ProgrammeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def programme():
    city = CityFactory(
        slug="tel-aviv", name_en="Tel Aviv", name_de="Tel Aviv", timezone="Asia/Jerusalem"
    )
    close = timezone.now().replace(microsecond=0) + datetime.timedelta(days=40)
    return ProgrammeFactory(
        host_city=city,
        title_en="Sea Exchange",
        title_de="",
        summary_en="Ten days by the sea.",
        summary_de="",
        applications_close_at=close,
    )


def test_a_german_reader_is_told_a_text_is_in_english(live_server, page: Page, programme):
    page.goto(f"{live_server.url}/de/programmes/{programme.slug}/")

    heading = page.get_by_role("heading", level=1)
    expect(heading.locator('[lang="en"]')).to_have_text("Sea Exchange")
    # One note for the heading and its lead, in the page's language, visible.
    note = page.locator("main .content-note").first
    expect(note).to_be_visible()
    expect(note).to_contain_text("Englisch")
    expect(note).not_to_have_attribute("lang", "en")
    expect(page.locator("main p.lead [lang='en']")).to_have_text("Ten days by the sea.")


def test_a_founder_in_new_york_reads_one_time_in_the_list_and_on_the_page(
    live_server, page: Page, programme
):
    UserFactory(email="ny@example.com", time_zone="America/New_York")
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.get_by_label("Email:").fill("ny@example.com")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/en/")

    page.goto(f"{live_server.url}/en/programmes/")
    card = page.locator(".card", has_text="Sea Exchange")
    in_list = card.locator("time").first.inner_text()
    expect(card).to_contain_text("(your time, New York)")
    card.get_by_role("link", name="Sea Exchange").click()

    deadline = page.locator("dt", has_text="Deadline").locator("xpath=following-sibling::dd")
    expect(deadline.locator("time").first).to_have_text(in_list)
    expect(deadline).to_contain_text(f"{in_list} (your time, New York)")
    expect(deadline).to_contain_text("(Tel Aviv time)")
    expect(deadline).not_to_contain_text("America/New_York")
