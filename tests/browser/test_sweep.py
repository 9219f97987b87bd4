"""axe-core on every founder page, logged out and in, in all seven languages, at 390 and 1280 px.

One browser page walks the whole portal: each page is loaded once per language, then
checked by axe-core (WCAG 2.0 and 2.1, A and AA) and photographed full-page at each width.
Serious and critical violations are collected and asserted at the end, so one run lists
every failure. The screenshots land in `ALLIANCE_SCREENSHOTS` (default
`artifacts/screenshots/<lang>-<width>/<page>.png`), which CI keeps as artefacts.
"""

import datetime
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from exchanges import services
from exchanges.models import Answer, Application, QuestionKind
from startups import services as startup_services
from startups.models import Role, Sector, Stage
from tests.factories import (
    AgreementFactory,
    CityFactory,
    ContactFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    QuestionFactory,
    StartupFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("ALLIANCE_SCREENSHOTS") or REPO / "artifacts" / "screenshots")
LANGUAGES = ("en", "de", "fr", "pl", "he", "ar", "zh-hans")  # both directions, every UI language
WIDTHS = (390, 1280)
HEIGHT = 900
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
EMAIL = "ada@orbit.example"
PASSWORD = "a-long-passphrase-42"
LOGIN_BUTTON = {"en": "Sign In", "de": "Anmeldung"}


@dataclass(frozen=True)
class Sweep:
    """What the pages show: each name maps to a path under the language prefix."""

    public: dict[str, str]
    logged_out: dict[str, str]
    logged_in: dict[str, str]


@pytest.fixture
def world() -> Sweep:
    """The network, an open call with questions, a founder's start-up, a draft, a submission."""
    berlin = CityFactory(
        slug="berlin",
        name_en="Berlin",
        name_de="Berlin",
        country="DE",
        timezone="Europe/Berlin",
        is_hub=True,
        description_en="Germany's capital and the hub of the Start Alliance.",
        description_de="Die deutsche Hauptstadt und der Knoten der Start Alliance.",
    )
    tel_aviv = CityFactory(
        slug="tel-aviv",
        name_en="Tel Aviv",
        name_de="Tel Aviv",
        country="IL",
        timezone="Asia/Jerusalem",
        description_en="A start-up city on the Mediterranean.",
        description_de="Eine Start-up-Stadt am Mittelmeer.",
    )
    hub = OrganisationFactory(
        slug="berlin-partner",
        name="Berlin Partner für Wirtschaft und Technologie",
        city=berlin,
        is_hub_operator=True,
    )
    host = OrganisationFactory(slug="tel-aviv-global", name="Tel Aviv Global", city=tel_aviv)
    ContactFactory(organisation=host, email="host@partner.example")
    AgreementFactory(hub_organisation=hub, partner_organisation=host, signed_year=2016)
    programme = ProgrammeFactory(
        slug="tel-aviv-exchange",
        title_en="Tel Aviv Exchange",
        title_de="Austausch Tel Aviv",
        host_city=tel_aviv,
        host_organisation=host,
    )
    QuestionFactory(programme=programme, position=1)
    QuestionFactory(
        programme=programme,
        position=2,
        text_en="Which market do you want to enter first?",
        text_de="Welchen Markt möchten Sie zuerst erschließen?",
        kind=QuestionKind.CHOICE,
        choices="Israel\nEurope\nBoth",
        required=False,
    )
    berlin_call = ProgrammeFactory(
        slug="berlin-landing",
        title_en="Berlin Soft Landing",
        title_de="Soft Landing Berlin",
        host_city=berlin,
        host_organisation=hub,
    )
    ProgrammeFactory(
        slug="past-exchange",
        title_en="Past Exchange",
        title_de="Vergangener Austausch",
        host_city=tel_aviv,
        host_organisation=host,
        applications_open_at=timezone.now() - datetime.timedelta(days=90),
        applications_close_at=timezone.now() - datetime.timedelta(days=30),
    )

    owner = MembershipFactory(
        user__email=EMAIL,
        user__name="Ada Founder",
        startup__name="Orbit Robotics",
        startup__slug="orbit-robotics",
        startup__city=berlin,
        startup__sector=Sector.INDUSTRY,
        startup__stage=Stage.SEED,
        startup__pitch="Robots that pick parcels.",
    )
    founder, startup = owner.user, owner.startup
    founder.set_password(PASSWORD)
    founder.save()
    EmailAddress.objects.create(user=founder, email=EMAIL, verified=True, primary=True)
    MembershipFactory(startup=startup, role=Role.MEMBER, user__email="grace@orbit.example")

    draft = Application.objects.create(
        programme=programme,
        startup=startup,
        created_by=founder,
        motivation="Israel's logistics firms are our first customers.",
        goals="Three pilots with parcel hubs.",
    )
    Answer.objects.create(application=draft, question=programme.questions.first(), value="In March")
    submitted = Application.objects.create(
        programme=berlin_call,
        startup=startup,
        created_by=founder,
        motivation="Berlin's logistics scene.",
        goals="Meet five warehouses.",
    )
    services.submit_application(submitted, by=founder, consent=True)

    other_owner = MembershipFactory(
        startup=StartupFactory(name="Parcel Pals", slug="parcel-pals", city=berlin),
        user__email="lin@parcel.example",
    ).user
    invitation = startup_services.invite_member(
        other_owner.memberships.get().startup, email=EMAIL, role=Role.MEMBER, by=other_owner
    )

    newcomer = UserFactory(email="new@orbit.example")
    address = EmailAddress.objects.create(user=newcomer, email=newcomer.email, primary=True)
    confirmation_key = EmailConfirmationHMAC(address).key
    reset = f"{user_pk_to_url_str(newcomer)}-{default_token_generator.make_token(newcomer)}"

    public = {
        "home": "/",
        "city-list": "/cities/",
        "city-detail": "/cities/tel-aviv/",
        "organisation": "/organisations/tel-aviv-global/",
        "programme-list": "/programmes/",
        "programme-detail": "/programmes/tel-aviv-exchange/",
        "privacy": "/privacy/",
        "imprint": "/imprint/",
        "not-found": "/no-such-page/",
    }
    logged_out = {
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "password-reset": "/accounts/password/reset/",
        "password-reset-done": "/accounts/password/reset/done/",
        "password-reset-key": f"/accounts/password/reset/key/{reset}/",
        "verification-sent": "/accounts/confirm-email/",
        "confirm-email": f"/accounts/confirm-email/{confirmation_key}/",
        "account-deleted": "/accounts/delete-account/done/",
    }
    logged_in = {
        **public,
        "profile": "/accounts/profile/",
        "email": "/accounts/email/",
        "password-change": "/accounts/password/change/",
        "data-export": "/accounts/data-export/",
        "delete-account": "/accounts/delete-account/",
        "2fa": "/accounts/2fa/",
        "reauthenticate": "/accounts/reauthenticate/",  # then the next two open
        "2fa-totp": "/accounts/2fa/totp/activate/",
        "2fa-webauthn": "/accounts/2fa/webauthn/add/",
        "startup-list": "/startups/",
        "startup-create": "/startups/new/",
        "startup-detail": "/startups/orbit-robotics/",
        "startup-edit": "/startups/orbit-robotics/edit/",
        "startup-leave": "/startups/orbit-robotics/leave/",
        "invitation": f"/startups/invitations/{invitation.token}/",
        "application-list": "/applications/",
        "application-draft": f"/applications/{draft.pk}/",
        "application-form": f"/applications/{draft.pk}/edit/",
        "application-review": f"/applications/{draft.pk}/review/",
        "application-delete": f"/applications/{draft.pk}/delete/",
        "application-status": f"/applications/{submitted.pk}/",
        "application-withdraw": f"/applications/{submitted.pk}/withdraw/",
        "logout": "/accounts/logout/",
    }
    return Sweep(public=public, logged_out=logged_out, logged_in=logged_in)


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/en/accounts/login/")
    page.locator("#id_login").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=LOGIN_BUTTON["en"], exact=True).click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def reauthenticate(page: Page) -> None:
    """Enter the password again, as the second factor's set-up pages ask first."""
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")


def blocking(page: Page, axe: Axe) -> list[str]:
    """The page's serious and critical violations: rule, impact and each element's selector."""
    results = axe.run(page, options=AXE_OPTIONS).response
    return [
        f"{violation['id']} [{violation['impact']}] at "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


def check(page: Page, axe: Axe, *, url: str, name: str, state: str, found: list[str]) -> None:
    """Load `url` once, then at each width run axe, keep what blocks, take the screenshot."""
    response = page.goto(url)
    language = url.split("/")[3] if "/api/" not in url else "en"
    expected = 404 if name == "not-found" else 200
    # A reset link's key moves into the session, and the page drops it from its address.
    landed = re.sub(r"-[^/]+/$", "-set-password/", url) if name == "password-reset-key" else url
    if response.status != expected or page.url != landed:
        found.append(f"{name} ({state}, {language}): HTTP {response.status} at {page.url}")
    if name == "api-docs":  # Swagger UI draws the operations after the page has loaded
        page.wait_for_selector(".opblock-summary", timeout=20_000)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        found.extend(
            f"{name} ({state}, {language}, {width} px): {violation}"
            for violation in blocking(page, axe)
        )
        folder = SCREENSHOTS / f"{language}-{width}"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=folder / f"{name}{'' if state == 'out' else '--in'}.png", full_page=True
        )


def test_the_sweep_reports_what_axe_finds(page: Page):
    page.set_content('<html><body><main><img src="data:,"><a href="/"></a></main></body></html>')

    assert sorted(blocking(page, Axe())) == [
        "document-title [serious] at html",
        "html-has-lang [serious] at html",
        "image-alt [critical] at img",
        "link-name [serious] at a",
    ]


def test_every_page_passes_axe_in_every_language_and_both_widths(live_server, page: Page, world):
    base = live_server.url
    axe = Axe()
    found: list[str] = []
    started = time.monotonic()
    visits = 0

    for language in LANGUAGES:
        for name, path in {**world.public, **world.logged_out}.items():
            check(page, axe, url=f"{base}/{language}{path}", name=name, state="out", found=found)
            visits += 1
    check(page, axe, url=f"{base}/api/docs/", name="api-docs", state="out", found=found)
    visits += 1

    log_in(page, base)
    for language in LANGUAGES:
        for name, path in world.logged_in.items():
            check(page, axe, url=f"{base}/{language}{path}", name=name, state="in", found=found)
            if name == "reauthenticate":
                reauthenticate(page)
            visits += 1

    summary = (
        f"{visits} page loads, {visits * len(WIDTHS)} page x language x width checks "
        f"in {time.monotonic() - started:.0f} s; screenshots in {SCREENSHOTS}"
    )
    assert found == [], f"serious or critical axe violations ({summary}):\n" + "\n".join(found)
