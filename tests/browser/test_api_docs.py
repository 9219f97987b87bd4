"""The API's docs page (Swagger UI) in a real browser, under the site's CSP, offline."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_the_operations_from_our_own_files(live_server, page: Page):
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    response = page.goto(f"{live_server.url}/api/docs/")

    assert response is not None
    assert response.status == 200
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Start Alliance API")).to_be_visible()
    operation = page.locator("#operations-partner-partner_applications_list")
    expect(operation).to_contain_text("/api/v1/partner/applications/")
    operation.locator("button.opblock-summary-control").click()
    expect(
        operation.get_by_text("The key lacks the scope this endpoint needs.").first
    ).to_be_visible()
    expect(operation.locator("option", has_text="application/problem+json").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert console_errors == []
    assert hosts == {urlsplit(live_server.url).netloc}
