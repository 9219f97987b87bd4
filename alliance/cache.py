"""A Redis cache that fails open: an outage costs one timeout, never a page.

The cache holds nothing that must not be lost (login rate limits, throttles). When
Redis refuses, times out or errors, a call answers as if the key were absent (`add`
as if it were new, so allauth's rate-limit lock is taken and the attempt allowed), the
outage is logged once, and for the next `PAUSE_SECONDS` this process does not ask Redis
again, so one request pays at most one timeout instead of one per call.
"""

import logging
import threading
import time
from functools import wraps

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Seconds a process leaves Redis alone after a failure before it tries again.
PAUSE_SECONDS = 10.0

_paused_until: dict[str, float] = {}
_lock = threading.Lock()


def _fail_open(fallback):
    """Wrap a cache method: on a Redis failure, or while paused, answer `fallback(args)`."""

    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < _paused_until.get(self._location_key, 0.0):
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as error:
                with _lock:
                    _paused_until[self._location_key] = time.monotonic() + PAUSE_SECONDS
                # The error's text is not logged: it may carry the server's URL.
                logger.warning(
                    "The cache is unavailable (%s); working without it for %d s.",
                    type(error).__name__,
                    PAUSE_SECONDS,
                )
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is unavailable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        # One try per call: redis-py's default retries would multiply each timeout by four.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._location_key = ",".join(self._servers)

    @_fail_open(lambda key, value, *a, **kw: True)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_fail_open(lambda key, default=None, *a, **kw: default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_fail_open(lambda *a, **kw: None)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @_fail_open(lambda *a, **kw: False)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_fail_open(lambda *a, **kw: False)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_fail_open(lambda *a, **kw: {})
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_fail_open(lambda *a, **kw: False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_fail_open(lambda key, delta=1, *a, **kw: delta)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_fail_open(lambda data, *a, **kw: list(data))
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_fail_open(lambda *a, **kw: None)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_fail_open(lambda *a, **kw: False)
    def clear(self):
        return super().clear()
