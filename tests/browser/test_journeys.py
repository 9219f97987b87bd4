"""Founders' journeys in a real browser: sign up, verify, create a start-up, apply, submit."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from alliance.mail.models import EmailMessage
from exchanges import services
from exchanges.models import Application, State
from tests.browser.helpers import link_sent_to
from tests.exchanges.conftest import staff_user
from tests.factories import CityFactory, MembershipFactory, ProgrammeFactory
from tests.helpers import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"
TEXT = {
    "en": {
        "email": "Email:",
        "password1": "Password:",
        "password2": "Password (again):",
        "signup": "Sign Up",
        "login": "Sign In",
        "confirm": "Confirm",
        "create": "Create a start-up",
        "name": "Name:",
        "save": "Save",
        "start": "Start an application for Orbit Robotics",
        "motivation": "Why do you want to take part?",
        "goals": "What do you want to reach in the market?",
        "deck": "Pitch deck (PDF):",
        "save_draft": "Save the draft",
        "review": "Review and submit",
        "submit": "Submit the application",
        "submitted": "submitted",
        "receipt": "Application received: Orbit Robotics for",
    },
    "de": {
        "email": "E-Mail-Adresse:",
        "password1": "Passwort:",
        "password2": "Passwort (Wiederholung):",
        "signup": "Registrieren",
        "login": "Anmeldung",
        "confirm": "Bestätigen",
        "create": "Start-up anlegen",
        "name": "Name:",
        "save": "Speichern",
        "start": "Bewerbung für Orbit Robotics beginnen",
        "motivation": "Warum möchten Sie teilnehmen?",
        "goals": "Was möchten Sie im Markt erreichen?",
        "deck": "Pitch-Deck (PDF):",
        "save_draft": "Entwurf speichern",
        "review": "Prüfen und einreichen",
        "submit": "Bewerbung einreichen",
        "submitted": "eingereicht",
        "receipt": "Bewerbung eingegangen: Orbit Robotics für",
    },
}


@pytest.fixture
def deck(tmp_path) -> Path:
    path = tmp_path / "orbit-deck.pdf"
    path.write_bytes(pdf_bytes(pages=3))
    return path


@pytest.fixture
def programme():
    CityFactory(slug="berlin", name_en="Berlin", name_de="Berlin", is_hub=True)
    return ProgrammeFactory(title_en="Tel Aviv Exchange", title_de="Austausch Tel Aviv")


def sign_up_and_verify(page: Page, base: str, language: str, email: str) -> None:
    text = TEXT[language]
    page.goto(f"{base}/{language}/accounts/signup/")
    page.locator("#id_name").fill("Ada Founder")
    page.get_by_label(text["email"]).fill(email)
    page.get_by_label(text["password1"]).fill(PASSWORD)
    page.get_by_label(text["password2"]).fill(PASSWORD)
    page.get_by_role("button", name=text["signup"], exact=True).click()
    expect(page).to_have_url(f"{base}/{language}/accounts/confirm-email/")  # "check your email"
    page.goto(link_sent_to(email))
    page.get_by_role("button", name=text["confirm"]).click()
    log_in(page, base, language, email)


def log_in(page: Page, base: str, language: str, email: str) -> None:
    text = TEXT[language]
    page.goto(f"{base}/{language}/accounts/login/")
    page.get_by_label(text["email"]).fill(email)
    page.get_by_label(text["password1"]).fill(PASSWORD)
    page.get_by_role("button", name=text["login"], exact=True).click()
    expect(page).to_have_url(f"{base}/{language}/")


def create_startup(page: Page, base: str, language: str) -> None:
    text = TEXT[language]
    page.goto(f"{base}/{language}/startups/")
    page.get_by_role("link", name=text["create"]).click()
    page.get_by_label(text["name"]).fill("Orbit Robotics")
    page.locator("#id_city").select_option("berlin")
    page.locator("#id_founded_year").fill("2023")
    page.locator("#id_founded_month").select_option("4")
    page.locator("#id_sector").select_option("industry")
    page.locator("#id_stage").select_option("seed")
    page.locator("#id_product_launched").check()
    page.locator("#id_team_size").fill("6")
    page.locator("#id_pitch").fill("Robots that pick parcels.")
    page.get_by_role("button", name=text["save"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orbit Robotics")


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_new_founder_applies_and_submits(live_server, page: Page, programme, deck, language):
    text = TEXT[language]
    email = f"founder-{language}@orbit.example"
    base = live_server.url

    sign_up_and_verify(page, base, language, email)
    create_startup(page, base, language)
    page.goto(f"{base}/{language}/programmes/{programme.slug}/")
    page.get_by_role("button", name=text["start"]).click()
    page.get_by_label(text["motivation"]).fill("Enter the Israeli market.")
    page.get_by_label(text["goals"]).fill("Five pilot customers.")
    page.get_by_label(text["deck"]).set_input_files(str(deck))
    page.get_by_role("button", name=text["save_draft"]).click()
    page.get_by_role("button", name=text["review"]).click()
    page.locator("#id_consent").check()
    page.get_by_role("button", name=text["submit"]).click()

    expect(page.locator(".state")).to_have_text(text["submitted"])
    application = Application.objects.get()
    assert application.state == State.SUBMITTED
    assert application.pitch_deck.name.startswith("pitch-decks/")
    receipt = EmailMessage.objects.get(template_key__endswith="application_submitted")
    assert (receipt.recipient, receipt.language, receipt.status) == (email, language, "sent")
    assert receipt.subject.startswith(text["receipt"])


def test_a_late_submit_and_a_fake_pdf_are_refused(live_server, page: Page, programme, tmp_path):
    membership = MembershipFactory(user__email="late@orbit.example")
    membership.user.set_password(PASSWORD)
    membership.user.save()
    application = Application.objects.create(
        programme=programme, startup=membership.startup, motivation="Why", goals="What"
    )
    fake = tmp_path / "deck.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf at all")
    base = live_server.url
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Email:").fill("late@orbit.example")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()

    page.goto(f"{base}/en/applications/{application.pk}/edit/")
    page.get_by_label("Pitch deck (PDF):").set_input_files(str(fake))
    page.get_by_role("button", name="Save the draft").click()
    # In the summary at the top and next to the field.
    expect(page.get_by_role("link", name="The file is not a PDF document.")).to_be_visible()
    expect(page.locator("#id_pitch_deck_error")).to_have_text(
        "Error: The file is not a PDF document."
    )

    programme.applications_close_at = timezone.now() - datetime.timedelta(minutes=1)
    programme.save()
    page.goto(f"{base}/en/applications/{application.pk}/review/")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text(re.compile("The call for applications closed on"))).to_be_visible()
    application.refresh_from_db()
    assert (application.state, application.pitch_deck.name) == (State.DRAFT, "")


def test_an_acceptance_is_confirmed_and_another_application_withdrawn(
    live_server, page: Page, programme
):
    membership = MembershipFactory(user__email="owner@orbit.example")
    owner = membership.user
    owner.set_password(PASSWORD)
    owner.save()
    staff = staff_user()
    accepted = Application.objects.create(
        programme=programme, startup=membership.startup, motivation="Why", goals="What"
    )
    other = Application.objects.create(
        programme=ProgrammeFactory(), startup=membership.startup, motivation="Why", goals="What"
    )
    for application in (accepted, other):
        services.submit_application(application, by=owner, consent=True)
    services.accept_application(accepted, by=staff)
    base = live_server.url
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Email:").fill("owner@orbit.example")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()

    page.goto(f"{base}/en/applications/{accepted.pk}/")
    page.get_by_role("button", name="Confirm our seat").click()
    expect(page.locator(".state")).to_have_text("confirmed")

    page.goto(f"{base}/en/applications/{other.pk}/")
    page.get_by_role("link", name="Withdraw this application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw the application?")
    page.get_by_role("button", name="Yes, withdraw").click()
    expect(page.locator(".state")).to_have_text("withdrawn")
    assert dict(Application.objects.values_list("pk", "state")) == {
        accepted.pk: State.CONFIRMED,
        other.pk: State.WITHDRAWN,
    }


def tab_to(page: Page, target: Locator, *, limit: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_the_whole_journey_by_keyboard_alone(live_server, page: Page, programme, deck):
    base = live_server.url
    email = "keys@orbit.example"
    page.goto(f"{base}/en/accounts/signup/")
    for label, value in (
        ("Your name:", "Kim Keys"),
        ("Email:", email),
        ("Password:", PASSWORD),
        ("Password (again):", PASSWORD),
    ):
        tab_to(page, page.get_by_label(label))
        page.keyboard.type(value)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/en/accounts/confirm-email/")
    page.goto(link_sent_to(email))
    tab_to(page, page.get_by_role("button", name="Confirm"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/en/accounts/login/"))
    for label, value in (("Email:", email), ("Password:", PASSWORD)):
        tab_to(page, page.get_by_label(label))
        page.keyboard.type(value)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/en/")

    page.goto(f"{base}/en/startups/new/")
    fields = [
        ("#id_name", "Orbit Robotics"),
        ("#id_other_city", "Lisbon"),
        ("#id_founded_year", "2023"),
        ("#id_team_size", "6"),
        ("#id_pitch", "Robots that pick parcels."),
    ]
    for selector, value in fields:
        tab_to(page, page.locator(selector))
        page.keyboard.type(value)
    for selector, option in (
        ("#id_founded_month", "April"),
        ("#id_country", "Portugal"),
        ("#id_sector", "Industry and IoT"),
        ("#id_stage", "Seed"),
    ):
        tab_to(page, page.locator(selector))
        page.keyboard.type(option[:4])
    tab_to(page, page.locator("#id_product_launched"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Orbit Robotics")

    page.goto(f"{base}/en/programmes/{programme.slug}/")
    tab_to(page, page.get_by_role("button", name="Start an application for Orbit Robotics"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Why do you want to take part?"))
    page.keyboard.type("Enter the market.")
    tab_to(page, page.get_by_label("What do you want to reach in the market?"))
    page.keyboard.type("Five pilots.")
    deck_input = page.get_by_label("Pitch deck (PDF):")
    tab_to(page, deck_input)
    # The file dialog belongs to the operating system, not the page: choose the file on the
    # input the keyboard has reached.
    deck_input.set_input_files(str(deck))
    tab_to(page, page.get_by_role("button", name="Review and submit"))
    page.keyboard.press("Enter")
    tab_to(page, page.locator("#id_consent"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Submit the application"))
    page.keyboard.press("Enter")

    expect(page.locator(".state")).to_have_text("submitted")
    assert Application.objects.get().state == State.SUBMITTED
