"""The admin's translation tabs in a real browser: they work, and nothing loads from outside."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from cities.models import City, Contact, CooperationAgreement, PartnerOrganisation
from cities.services import load_network
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_page(live_server, page: Page) -> Page:
    load_network()
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/")  # the admin sends staff to the portal's login
    page.get_by_label("Email:").fill("staff@example.com")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("heading", name="Berlin Partner staff")).to_be_visible()
    return page


@pytest.mark.parametrize(
    ("model", "lookup", "tab_field"),
    [
        (City, {"slug": "vienna"}, "name"),
        (PartnerOrganisation, {"slug": "dubai-sme"}, "description"),
        (Contact, {"full_name": "Sisi Liu"}, "position"),
        (CooperationAgreement, {"partner_organisation__slug": "dubai-sme"}, "summary"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_admin_change_form_translation_tabs(live_server, staff_page, model, lookup, tab_field):
    obj = model.objects.get(**lookup)
    requests: list[str] = []
    errors: list[str] = []
    staff_page.on("request", lambda request: requests.append(request.url))
    staff_page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    staff_page.on("pageerror", lambda error: errors.append(str(error)))
    opts = model._meta

    staff_page.goto(f"{live_server.url}/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/")

    tabs = staff_page.locator(f".ui-tabs:has(#id_{tab_field}_de)")
    expect(tabs).to_have_count(1)
    expect(tabs.get_by_role("tab")).to_have_count(7)
    expect(staff_page.locator(f"#id_{tab_field}_de")).to_be_hidden()
    tabs.get_by_role("tab", name="de", exact=False).first.click()
    expect(staff_page.locator(f"#id_{tab_field}_de")).to_be_visible()
    own = urlsplit(live_server.url).netloc
    assert [url for url in requests if urlsplit(url).netloc != own] == []
    assert errors == []


def test_each_language_tab_says_whether_it_is_filled_in(live_server, staff_page):
    vienna = City.objects.get(slug="vienna")
    City.objects.filter(pk=vienna.pk).update(name_pl="")

    staff_page.goto(f"{live_server.url}/admin/cities/city/{vienna.pk}/change/")

    tabs = staff_page.locator(".ui-tabs:has(#id_name_de)")
    expect(tabs.get_by_role("tab", name="de (filled in)")).to_have_count(1)
    expect(tabs.get_by_role("tab", name="pl (empty)")).to_have_count(1)
    tabs.get_by_role("tab", name="pl (empty)").click()
    staff_page.locator("#id_name_pl").fill("Wiedeń")
    expect(tabs.get_by_role("tab", name="pl (filled in)")).to_have_count(1)
    expect(staff_page.locator("#id_name_ar")).to_have_attribute("dir", "rtl")
