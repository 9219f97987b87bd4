"""Issue 15 (5, 10, 11, 12) in a real browser: errors at the field with a summary that
links to them, the review before submitting, leaving a team only after confirming, and
the focus on the message after a redirect."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from exchanges.models import Application, State
from startups.models import Membership, Role
from tests.factories import MembershipFactory, ProgrammeFactory
from tests.helpers import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # the factories' password


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(f"{base}/en/")


@pytest.fixture
def deck(tmp_path) -> Path:
    path = tmp_path / "Orbit deck 2026.pdf"
    path.write_bytes(pdf_bytes(pages=2))
    return path


def test_errors_are_summarised_linked_and_marked_at_their_fields(live_server, page: Page):
    membership = MembershipFactory(user__email="errors@orbit.example")
    base = live_server.url
    log_in(page, base, membership.user.email)

    page.goto(f"{base}/en/startups/new/")
    page.get_by_role("button", name="Save").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Name: This field is required.").click()
    expect(page.locator("#id_name")).to_be_focused()
    expect(page.locator("#id_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_name")).to_have_accessible_description(
        re.compile("This field is required.")
    )
    expect(page.locator("#id_pitch")).to_have_accessible_description(
        re.compile("At most 500 characters.")
    )
    expect(page.get_by_label(re.compile(r"^Name: \* ?\(required\)"))).to_be_visible()


def test_a_founder_reviews_the_whole_application_before_submitting(live_server, page: Page, deck):
    membership = MembershipFactory(user__email="review@orbit.example")
    programme = ProgrammeFactory(requires_pitch_deck=True)
    application = Application.objects.create(programme=programme, startup=membership.startup)
    base = live_server.url
    log_in(page, base, membership.user.email)

    page.goto(f"{base}/en/applications/{application.pk}/edit/")
    expect(page.get_by_text("Deadline:")).to_be_visible()
    motivation = page.get_by_label(re.compile("Why do you want to take part"))
    motivation.fill("Enter the Israeli market.")
    expect(page.locator("#id_motivation_counter")).to_have_text("2,975 characters left")
    page.get_by_role("button", name="Review and submit").click()

    # Incomplete: each problem in the summary and at its field.
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Describe your goals in the market.").click()
    goals = page.get_by_label(re.compile("What do you want to reach in the market"))
    expect(goals).to_be_focused()
    expect(goals).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_pitch_deck")).to_have_attribute("aria-invalid", "true")
    goals.fill("Five pilot customers.")
    page.get_by_label(re.compile("Pitch deck")).set_input_files(str(deck))
    page.get_by_role("button", name="Review and submit").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your application before you submit it"
    )
    for shown in ("Enter the Israeli market.", "Five pilot customers.", membership.startup.pitch):
        expect(page.get_by_text(shown)).to_be_visible()
    expect(page.get_by_role("link", name="Orbit deck 2026.pdf")).to_be_visible()

    page.get_by_role("button", name="Submit the application").click()  # no consent yet
    expect(page.locator("#id_consent")).to_have_attribute("aria-invalid", "true")
    page.get_by_role("alert").get_by_role("link", name=re.compile("Agree to share")).click()
    expect(page.locator("#id_consent")).to_be_focused()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Submit the application").click()

    message = page.get_by_role("status").filter(has_text="We have emailed a receipt to")
    expect(message).to_be_focused()
    expect(page.locator(".badge.badge--submitted")).to_have_text("submitted")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    assert Application.objects.get().state == State.SUBMITTED

    page.goto(f"{base}/en/applications/{application.pk}/edit/")  # a submitted one
    expect(page).to_have_url(f"{base}/en/applications/{application.pk}/")


def test_leaving_a_team_asks_first(live_server, page: Page):
    owner = MembershipFactory(user__email="owner@orbit.example")
    member = MembershipFactory(
        startup=owner.startup, role=Role.MEMBER, user__email="member@orbit.example"
    )
    base = live_server.url
    log_in(page, base, member.user.email)

    page.goto(f"{base}/en/startups/{owner.startup.slug}/")
    page.get_by_role("link", name="Leave this team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Leave the team of {owner.startup.name}?"
    )
    assert Membership.objects.filter(pk=member.pk).exists()
    page.get_by_role("link", name="Cancel, stay in the team").click()
    expect(page).to_have_url(f"{base}/en/startups/{owner.startup.slug}/")

    page.get_by_role("link", name="Leave this team").click()
    page.get_by_role("button", name="Yes, leave the team").click()
    expect(page).to_have_url(f"{base}/en/startups/")
    expect(page.get_by_role("status")).to_be_focused()
    assert not Membership.objects.filter(pk=member.pk).exists()
