"""Liveness and readiness: is the database there, and Redis where configured."""

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database() -> bool:
    """Return whether the default database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("Health check: the database did not answer.")
        return False


def check_redis(url: str) -> bool:
    """Return whether the Redis server at `url` answers PING within the timeout."""
    client = redis.Redis.from_url(
        url,
        socket_timeout=settings.REDIS_TIMEOUT,
        socket_connect_timeout=settings.REDIS_TIMEOUT,
    )
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("Health check: Redis did not answer.")
        return False
    finally:
        client.close()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report each dependency as "ok" or "unavailable"; 503 if any is unavailable."""
    checks = {"database": check_database()}
    if settings.REDIS_URL:
        checks["redis"] = check_redis(settings.REDIS_URL)
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        },
        status=200 if healthy else 503,
    )


class HealthCheckMiddleware:
    """Answer /healthz before anything else runs.

    Probes come from inside the deployment with whatever Host header they have, over
    plain HTTP: host validation and the HTTPS redirect must not turn them into 400 or 301.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
