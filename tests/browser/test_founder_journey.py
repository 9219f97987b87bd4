"""From a programme's page to its apply form without typing a URL: sign-up, verification,
login and a start-up, the steps shown on the way."""

import re

import pytest
from playwright.sync_api import Page, expect

from exchanges.models import Application
from tests.browser.helpers import enter, link_sent_to
from tests.factories import CityFactory, ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"
TEXT = {
    "en": {
        "sign_up": "sign up",
        "signup": "Sign Up",
        "confirm": "Confirm",
        "login": "Sign In",
        "create": "Create a start-up",
        "save": "Save",
        "start": "Start an application for Orbit Robotics",
        "steps": "Your way to applying",
    },
    "de": {
        "sign_up": "registrieren Sie sich",
        "signup": "Registrieren",
        "confirm": "Bestätigen",
        "login": "Anmeldung",
        "create": "Start-up anlegen",
        "save": "Speichern",
        "start": "Bewerbung für Orbit Robotics beginnen",
        "steps": None,  # the German catalogue is completed at the end of the issue
    },
}


def current_step(page: Page) -> str:
    return page.locator('.journey [aria-current="step"]').inner_text().strip()


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_founder_goes_from_a_programme_to_its_apply_form_without_typing_a_url(
    live_server, page: Page, language
):
    text = TEXT[language]
    CityFactory(slug="berlin", name_en="Berlin", name_de="Berlin", country="DE", is_hub=True)
    programme = ProgrammeFactory(title_en="Tel Aviv Exchange", title_de="Austausch Tel Aviv")
    email = f"ada-{language}@orbit.example"
    programme_url = f"{live_server.url}/{language}/programmes/{programme.slug}/"
    page.goto(programme_url)  # typed once; from here on only clicks and the email's link

    # Account: sign up from the programme's page, with a name.
    assert re.fullmatch(r"1\s+\w+", current_step(page))
    page.locator(".apply").get_by_role("link", name=text["sign_up"]).click()
    assert re.fullmatch(r"1\s+\w+", current_step(page))
    page.locator("#id_name").fill("Ada Lovelace")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name=text["signup"], exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/confirm-email/\?next="))
    assert re.fullmatch(r"1\s+\w+", current_step(page))

    # The link in the email, then the login it leads to.
    link = link_sent_to(email)
    page.goto(link)
    page.get_by_role("button", name=text["confirm"]).click()
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    assert re.fullmatch(r"1\s+\w+", current_step(page))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=text["login"], exact=True).click()

    # Start-up: back on the programme's page, logged in under the name given.
    expect(page).to_have_url(f"{programme_url}#apply-heading")
    expect(page.locator(".account-nav")).to_contain_text("Ada")
    expect(page.locator(".account-nav")).not_to_contain_text(email)
    assert re.fullmatch(r"2\s+[\w-]+", current_step(page))
    page.locator(".apply").get_by_role("link", name=text["create"]).click()
    assert re.fullmatch(r"2\s+[\w-]+", current_step(page))
    page.locator("#id_name").fill("Orbit Robotics")
    page.locator("#id_city").select_option("berlin")
    enter(page, "#id_founded_year", "2023")
    enter(page, "#id_founded_month", "4")
    page.locator("#id_sector").select_option("industry")
    page.locator("#id_stage").select_option("seed")
    page.locator("#id_product_launched").check()
    page.locator("#id_team_size").fill("6")
    page.locator("#id_pitch").fill("Robots that pick parcels.")
    page.get_by_role("button", name=text["save"]).click()

    # Application: back on the programme's page once more, and on to its form.
    expect(page).to_have_url(f"{programme_url}#apply-heading")
    assert re.fullmatch(r"3\s+\w+", current_step(page))
    if text["steps"]:
        expect(page.get_by_role("navigation", name=text["steps"])).to_be_visible()
    page.get_by_role("button", name=text["start"]).click()

    application = Application.objects.get()
    expect(page).to_have_url(f"{live_server.url}/{language}/applications/{application.pk}/edit/")
    assert (application.programme, application.startup.name) == (programme, "Orbit Robotics")
