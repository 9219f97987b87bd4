"""Fixtures and markers shared by the whole suite.

Tests marked `postgres`, `redis`, `browser` or `compose` skip with a reason where
that service or tool is missing; with ALLIANCE_REQUIRE_SERVICES=1 (CI) such a
skip becomes a failure, so CI can never pass by skipping them.
"""

import os
import shutil
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

# Sync Playwright runs an event loop in the test's thread; live_server still needs the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing_postgres() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    return None


def _missing_redis() -> str | None:
    if not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"needs Redis, but REDIS_URL did not answer ({type(error).__name__})"
    finally:
        client.close()
    return None


def _missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return "needs Debian's Chromium: apt-get install -y chromium"
    return None


def _missing_compose() -> str | None:
    if not shutil.which("docker-compose"):
        return "needs the docker-compose client: apt-get install -y docker-compose"
    return None


REQUIREMENTS = {
    "postgres": _missing_postgres,
    "redis": _missing_redis,
    "browser": _missing_browser,
    "compose": _missing_compose,
}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers():
        check = REQUIREMENTS.get(marker.name)
        reason = check() if check else None
        if reason:
            if os.environ.get("ALLIANCE_REQUIRE_SERVICES") == "1":
                pytest.fail(f"{marker.name}: {reason} (required here)", pytrace=False)
            pytest.skip(f"{marker.name}: {reason}")


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the default language: a request to /de/ leaves German active."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache: rate limits must not carry over between tests."""
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Keep every test's uploads in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's Chromium; Playwright's own browser download cannot work here."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }
