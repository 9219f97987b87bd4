"""Issue 15 (3, 15): every founder page fits from 320 px up, logged out and logged in with
a long name and email, its header controls stay on screen, no button breaks a word of its
label, and dark mode is dark.

One browser page is shared by all cases: each page is opened once and measured at every
width by resizing the viewport, which re-runs the layout and the media queries."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page

from cities.models import City
from cities.services import load_network
from exchanges.models import Application
from tests.factories import MembershipFactory, ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390, 768, 1280)
LONG_NAME = "Maximiliane-Theodora-Wilhelmina von Hohenzollern-Sigmaringen"
LONG_EMAIL = (
    "maximiliane.theodora.wilhelmina.von.hohenzollern-sigmaringen"
    "@internationale-start-up-gruendungsberatung.example"
)
LONG_STARTUP = "Hohenzollern Quantum Logistics and Autonomous Robotics Systems International"

# What a person would see go wrong: the page wider than the window (a horizontal scroll
# bar), or a control of the header (a link, the log-out button) cut off at either side.
MEASURE = r"""() => {
  const width = window.innerWidth;
  const cut = [...document.querySelectorAll('.site-header a, .site-header button')]
    .filter(el => el.offsetParent !== null && !el.classList.contains('skip-link'))
    .filter(el => {
      const box = el.getBoundingClientRect();
      return box.left < -0.5 || box.right > width + 0.5;
    })
    .map(el => el.textContent.trim());
  // A word of a button's label broken across lines ("Hedgeho|g FX"): each word's text
  // must stand on one line.
  const broken = [];
  for (const button of document.querySelectorAll('main button, main .button')) {
    if (button.offsetParent === null) continue;
    const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, cut, broken};
}"""

LOG_OUT = {"en": "Log out", "de": "Abmelden"}


@pytest.fixture(scope="module")
def shared_page(browser: Browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def world():
    load_network()
    tel_aviv = City.objects.get(slug="tel-aviv")
    programme = ProgrammeFactory(
        host_city=tel_aviv,
        title_en="Tel Aviv Market Access Residency for Deep-Tech and Climate Start-ups",
    )
    membership = MembershipFactory(
        user__name=LONG_NAME, user__email=LONG_EMAIL, startup__name=LONG_STARTUP
    )
    application = Application.objects.create(programme=programme, startup=membership.startup)
    # A second start-up with no application yet: the programme's page offers to start one.
    MembershipFactory(user=membership.user, startup__name="Hedgehog FX")
    return {
        "user": membership.user,
        "pages": [
            "/",
            "/cities/",
            f"/cities/{tel_aviv.slug}/",
            "/programmes/",
            f"/programmes/{programme.slug}/",
            "/accounts/profile/",
            f"/startups/{membership.startup.slug}/",
            f"/applications/{application.pk}/edit/",
            "/applications/",
            "/startups/",
            "/privacy/",
        ],
    }


def overflows(page: Page, base: str, paths: list[str], language: str) -> list[str]:
    """Open each page once and measure it at every width; say what does not fit."""
    problems = []
    for path in paths:
        page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
        page.goto(f"{base}/{language}{path}")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            measured = page.evaluate(MEASURE)
            where = f"{page.url} at {width} px"
            if measured["scroll"] > measured["width"]:
                problems.append(f"{where}: {measured['scroll']} px wide")
            if measured["cut"]:
                problems.append(f"{where}: cut off: {measured['cut']}")
            if measured["broken"]:
                problems.append(f"{where}: words broken in a button: {measured['broken']}")
    return problems


def log_out_is_on_screen(page: Page, language: str) -> list[str]:
    problems = []
    button = page.get_by_role("button", name=LOG_OUT[language], exact=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        box = button.bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > width:
            problems.append(f"{language} at {width} px: Log out at {box}")
    return problems


def test_every_main_page_fits_logged_out(live_server, shared_page: Page, world):
    shared_page.context.clear_cookies()

    problems = overflows(shared_page, live_server.url, world["pages"], "en")

    assert problems == []
    assert shared_page.get_by_role("link", name="Log in", exact=True).is_visible()


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_main_page_fits_logged_in_with_a_long_name(
    live_server, shared_page: Page, world, language
):
    client = Client()
    client.force_login(world["user"])
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    shared_page.context.clear_cookies()
    shared_page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )

    problems = overflows(shared_page, live_server.url, world["pages"], language)
    problems += log_out_is_on_screen(shared_page, language)

    assert problems == []
    # Logged in for real: the header names the user by the first part of the name.
    assert shared_page.locator(".account-nav").inner_text().count("Maximiliane") == 1
    # The main navigation marks the programmes, not a founder's own applications.
    shared_page.goto(f"{live_server.url}/{language}/applications/")
    assert shared_page.locator(".site-nav [aria-current]").count() == 0
    shared_page.goto(f"{live_server.url}/{language}/programmes/")
    assert shared_page.locator(".site-nav [aria-current]").count() == 1


def test_dark_mode_is_dark_and_light_mode_light(live_server, shared_page: Page, world):
    background = "() => getComputedStyle(document.body).backgroundColor"
    shared_page.context.clear_cookies()
    shared_page.goto(f"{live_server.url}/en/programmes/")

    shared_page.emulate_media(color_scheme="dark")
    dark = shared_page.evaluate(LUMINANCE, shared_page.evaluate(background))
    shared_page.emulate_media(color_scheme="light")
    light = shared_page.evaluate(LUMINANCE, shared_page.evaluate(background))

    assert dark < 0.05
    assert light > 0.9


# The relative luminance of a computed colour ("rgb(r, g, b)"), as WCAG defines it.
LUMINANCE = """(colour) => {
  const [r, g, b] = colour.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(c => {
    c /= 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""
