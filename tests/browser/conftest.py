"""What the browser tests share."""

import pytest


@pytest.fixture(autouse=True)
def _site_url_is_the_live_server(request):
    """Emails link SITE_URL, the portal's address: in a browser test, the live server's."""
    if "live_server" in request.fixturenames:
        settings = request.getfixturevalue("settings")
        settings.SITE_URL = request.getfixturevalue("live_server").url
