"""A programme manager decides in a real browser: board, staging, the emails' preview, announce."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from alliance.mail.models import EmailMessage
from exchanges.models import Application, State
from tests.exchanges.conftest import staff_user
from tests.factories import ApplicationFactory, MembershipFactory, ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def programme():
    programme = ProgrammeFactory(title_en="Vienna Exchange", title_de="Austausch Wien", seats=2)
    for name, email, language, state in [
        ("Alpaca Labs", "alpaca@startup.example", "de", State.IN_REVIEW),
        ("Bistro Bots", "bistro@startup.example", "en", State.SUBMITTED),
    ]:
        owner = MembershipFactory(startup__name=name, user__email=email, user__language=language)
        ApplicationFactory(programme=programme, startup=owner.startup, state=state)
    return programme


@pytest.fixture
def manager_page(live_server, page: Page, programme) -> Page:
    manager = staff_user(email="manager@berlin-partner.example")
    manager.user_permissions.remove(Permission.objects.get(codename="see_every_programme"))
    manager.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_exchangeprogramme", "change_exchangeprogramme"]
        )
    )
    programme.managers.add(manager)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email:").fill("manager@berlin-partner.example")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("heading", name="Berlin Partner staff")).to_be_visible()
    return page


def test_a_manager_stages_previews_and_announces(live_server, manager_page: Page, programme):
    page = manager_page
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The dashboard on the index shows the programme; its title leads to the board too.
    expect(page.locator(f"#pipeline-{programme.pk}")).to_contain_text("Vienna Exchange")
    page.goto(f"{live_server.url}/admin/exchanges/exchangeprogramme/{programme.pk}/change/")
    page.get_by_role("link", name="Decision board").click()
    expect(page.get_by_role("heading", name="Decision board: Vienna Exchange")).to_be_visible()

    page.get_by_label("select Alpaca Labs").check()
    page.get_by_label("Decision:").select_option("accept")
    page.get_by_role("button", name="Stage").click()
    expect(page.locator(".messagelist")).to_contain_text("1 application: staged for acceptance.")
    page.get_by_label("select Bistro Bots").check()
    page.get_by_label("Decision:").select_option("reject")
    page.get_by_label("Comment:").fill("Too early for us")
    page.get_by_label("include the comment in the email to the team").check()
    page.get_by_role("button", name="Stage").click()
    expect(page.locator(".messagelist")).to_contain_text("1 application: staged for rejection.")
    expect(page.locator("#seats-staged")).to_have_text("1")
    expect(page.locator("#staged-total")).to_have_text("2")

    page.get_by_role("link", name="Announce the staged decisions…").click()
    emails = page.locator("#announce-emails details")
    expect(emails).to_have_count(2)
    expect(emails.nth(0).locator("summary")).to_have_text(
        "alpaca@startup.example [de] "
        "Zusage: Alpaca Labs für Austausch Wien \N{EN DASH} bitte bestätigen"
    )
    expect(emails.nth(1).locator("summary")).to_have_text(
        "bistro@startup.example [en] Your application to Vienna Exchange"
    )
    body = emails.nth(1).locator(".email-body")
    expect(body).to_be_hidden()
    emails.nth(1).locator("summary").click()
    expect(body).to_contain_text("A note from Berlin Partner: Too early for us")
    assert EmailMessage.objects.count() == 0

    page.get_by_role("button", name="Yes, announce and send these emails").click()

    expect(page.locator(".messagelist")).to_contain_text("2 decisions announced.")
    expect(page.locator("#board tbody tr")).to_have_count(2)
    expect(page.locator("#board")).to_contain_text("accepted")
    expect(page.locator("#board")).to_contain_text("rejected")
    assert sorted(Application.objects.values_list("startup__name", "state")) == [
        ("Alpaca Labs", "accepted"),
        ("Bistro Bots", "rejected"),
    ]
    assert sorted(EmailMessage.objects.values_list("recipient", "language")) == [
        ("alpaca@startup.example", "de"),
        ("bistro@startup.example", "en"),
    ]
    own = urlsplit(live_server.url).netloc
    assert [url for url in requests if urlsplit(url).netloc != own] == []
    assert errors == []


def test_the_pipelines_table_of_states_fits_the_admin_index_at_1280_px(
    manager_page: Page, programme
):
    page = manager_page
    page.set_viewport_size({"width": 1280, "height": 900})

    box = page.locator(f"#pipeline-{programme.pk} .pipeline-scroll")
    widths = box.evaluate("el => [el.scrollWidth, el.clientWidth]")

    # Every state's column in view, none hidden in a box that scrolls sideways.
    assert widths[0] <= widths[1], widths
    expect(box.get_by_role("columnheader", name="drafts")).to_be_in_viewport()
