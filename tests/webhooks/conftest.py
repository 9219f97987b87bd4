import pytest

from tests.api.conftest import partners  # noqa: F401 - the API's two organisations, reused


@pytest.fixture
def loopback(settings):
    """Receivers on this machine, over http: as development and tests allow."""
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_REQUIRE_HTTPS = False
    return settings
