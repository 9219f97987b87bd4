"""Open calls up front, as a founder sees them on the home page and the programme list."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import CityFactory, ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize("width", [390, 1280])
def test_home_and_list_lead_with_an_open_call(live_server, page: Page, width):
    now = timezone.now()
    tel_aviv = CityFactory(name_en="Tel Aviv", timezone="Asia/Jerusalem")
    ProgrammeFactory(
        title_en="Closed Delegation",
        applications_open_at=now - 60 * DAY,
        applications_close_at=now - 30 * DAY,
    )
    ProgrammeFactory(
        title_en="Tel Aviv Exchange",
        host_city=tel_aviv,
        applications_open_at=now - 5 * DAY,
        applications_close_at=now + 40 * DAY,
    )
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/en/")

    calls = page.get_by_role("region", name="Open calls")
    expect(calls.get_by_role("link", name="Tel Aviv Exchange")).to_be_visible()
    expect(calls.locator(".badge--open")).to_have_text("Open")
    expect(calls.get_by_text("open until")).to_be_visible()
    expect(calls.locator("time").first).to_be_visible()
    expect(calls).not_to_contain_text("Closed Delegation")

    calls.get_by_role("link", name="All exchange programmes").click()

    first = page.locator(".card-list > li.card").first
    expect(first.get_by_role("heading")).to_have_text("Tel Aviv Exchange")
    expect(first.locator(".badge")).to_have_text("Open")
    expect(first.locator(".badge")).to_have_class("badge badge--open")
    last = page.locator(".card-list > li.card").last
    expect(last.locator(".badge--closed")).to_have_text("Closed")
