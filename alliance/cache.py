"""A Redis cache that degrades to memory: an outage costs one timeout, never a page.

The cache holds nothing that must not be lost (rate limits, throttles). When Redis
refuses, times out or errors, the call is answered by a memory cache of this process
instead, the outage is logged once, and for the next `PAUSE_SECONDS` this process
leaves Redis alone, so one request pays at most one timeout instead of one per call.
The limits kept in the cache (failed logins, password resets, sign-ups, the API's
throttles) then hold per process instead of across all of them.
"""

import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Seconds a process leaves Redis alone after a failure before it tries again.
PAUSE_SECONDS = 10.0

_paused_until: dict[str, float] = {}
_lock = threading.Lock()


class CacheUnavailableError(Exception):
    """Redis is not there (FailOpenRedisCache.shared)."""


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answered from this process's memory while Redis is unavailable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        # One try per call: redis-py's default retries would multiply each timeout by four.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._location_key = ",".join(self._servers)
        self._standby = LocMemCache(f"standby:{self._location_key}", {})

    def _call(self, name: str, *args, **kwargs):
        try:
            return self.shared(name, *args, **kwargs)
        except CacheUnavailableError:
            return getattr(self._standby, name)(*args, **kwargs)

    def shared(self, name: str, *args, **kwargs):
        """Call `name` on Redis itself, never on this process's memory.

        For what every process must see alike (the sessions' cache: a session ended in
        one process must not live on in another's memory). Raises `CacheUnavailableError`
        while Redis is not there, which pauses this process's calls like any failure.
        """
        if time.monotonic() < _paused_until.get(self._location_key, 0.0):
            raise CacheUnavailableError
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except redis.RedisError as error:
            with _lock:
                _paused_until[self._location_key] = time.monotonic() + PAUSE_SECONDS
            # The error's text is not logged: it may carry the server's URL.
            logger.warning(
                "The cache is unavailable (%s); for %d s this process's memory stands in for it, "
                "except for sessions, which are read from the database.",
                type(error).__name__,
                PAUSE_SECONDS,
            )
            raise CacheUnavailableError from None

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")
