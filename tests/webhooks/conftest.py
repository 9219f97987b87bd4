import pytest
import redis
from django.conf import settings

from alliance.celery_app import app as project_app
from tests.api.conftest import partners  # noqa: F401 - the API's two organisations, reused


@pytest.fixture
def loopback(settings):
    """Receivers on this machine, over http: as development and tests allow."""
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_REQUIRE_HTTPS = False
    return settings


@pytest.fixture
def webhooks_broker(loopback):
    """Publish to Redis instead of delivering in this process; the queue empty around it."""
    queue = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue.delete("webhooks")
    project_app.conf.task_always_eager = False
    yield
    project_app.conf.task_always_eager = True
    queue.delete("webhooks")
    queue.close()
