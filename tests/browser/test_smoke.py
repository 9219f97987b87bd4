"""The home page in a real browser (Debian's Chromium driven by Playwright)."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_in_english_then_german(live_server, page: Page):
    csp_violations: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and csp_violations.append(msg.text))

    page.goto(f"{live_server.url}/en/")

    expect(page).to_have_title("Start Alliance Berlin")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start Alliance Berlin")
    expect(page.get_by_role("link", name="Privacy notice")).to_be_visible()

    page.get_by_role("link", name="Deutsch").click()

    expect(page).to_have_url(f"{live_server.url}/de/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("link", name="Datenschutzerklärung")).to_be_visible()
    expect(page.get_by_role("link", name="Impressum")).to_be_visible()
    expect(page.get_by_role("navigation", name="Hauptnavigation")).to_be_visible()
    assert csp_violations == []


def test_skip_link_is_the_first_stop_for_the_keyboard(live_server, page: Page):
    page.goto(f"{live_server.url}/de/")

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Zum Hauptinhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/de/#main$"))
    expect(page.locator("main")).to_be_focused()


def test_stylesheet_is_served(live_server, page: Page):
    response = page.goto(f"{live_server.url}/static/css/site.css")

    assert response is not None
    assert response.status == 200
    assert "skip-link" in response.text()
