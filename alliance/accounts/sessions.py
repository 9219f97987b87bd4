"""Who is asking, in one query: the session and its user read together.

Every page of the site first reads the visitor's session and then, for a logged-in
visitor, their user: two round trips to the database before any view runs, which on the
admin's big lists cost more than the list's own data query. `SessionStore` reads the
session row and, through the `UserSession` row that login keeps for it
(staff_security.remember_session), the user row in the same statement. The backends
below hand that user to Django's `get_user` (which still checks that the user may log in
and that the session's password hash is the user's), so a logged-in page makes one query
where it made two. A session without its `UserSession` row (one from before the row was
kept) falls back to Django's own lookup of the user.

The user travels from the store to the backend through a context variable set only while
Django's `get_user` runs for the request (`AuthenticationMiddleware`), never across
requests or threads.

Both are kept in the cache too, for `SESSION_CACHE_SECONDS` (60 by default; 0 turns it
off), so that a page viewed again asks the database nothing about who is asking: the
session's data under its key (as Django's `cached_db` sessions do), written through on
every save and dropped on every delete (logout, "end my other sessions", erasure), and
the user's row under their id, without the password hash (only the session hash that
Django checks, `get_session_auth_hash`, and whether the password is usable), dropped
whenever the user is saved or deleted.
Only Redis itself serves as that cache (`FailOpenRedisCache.shared`), never a process's
own memory: a session ended in one process must not live on in another. While Redis is
away, every page reads the database as before. A session ended, or a user deactivated,
while Redis could not be told, or in the moment between another request's read of the
database and its write to the cache, may be honoured until its entry expires: at most
`SESSION_CACHE_SECONDS`.
"""

import logging
from contextvars import ContextVar

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import get_user as django_get_user
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoMiddleware
from django.contrib.sessions.backends import db
from django.core.cache import caches
from django.db import connections, router
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from alliance.accounts.models import User, UserSession
from alliance.cache import CacheUnavailableError

logger = logging.getLogger(__name__)

SESSION_PREFIX = "alliance.session:"
USER_PREFIX = "alliance.session-user:"
# Every field of the user but the password hash, in the model's order.
_CACHED_FIELDS = [f.attname for f in User._meta.concrete_fields if f.attname != "password"]
_ENTRY_KEYS = {*_CACHED_FIELDS, "session_auth_hash", "usable_password"}
_MISSING = object()


def _cache(name: str, *args):
    """Call `name` on the sessions' cache; `_MISSING` when it is off or unavailable."""
    if settings.SESSION_CACHE_SECONDS <= 0:
        return _MISSING
    cache = caches[settings.SESSION_CACHE_ALIAS]
    try:
        if hasattr(cache, "shared"):  # Redis, never a process's standby memory
            return cache.shared(name, *args)
        return getattr(cache, name)(*args)
    except CacheUnavailableError:
        return _MISSING


def _timeout(seconds: float) -> int:
    return max(1, min(settings.SESSION_CACHE_SECONDS, int(seconds)))


def _drop(key: str) -> None:
    if settings.SESSION_CACHE_SECONDS > 0 and _cache("delete", key) is _MISSING:
        logger.warning("A cached session or user could not be dropped.")


def cache_user(user: User) -> None:
    """Keep `user`'s row, but its password hash, for the next pages of their sessions."""
    values = {name: getattr(user, name) for name in _CACHED_FIELDS}
    values["session_auth_hash"] = user.get_session_auth_hash()
    values["usable_password"] = user.has_usable_password()
    _cache("set", f"{USER_PREFIX}{user.pk}", values, settings.SESSION_CACHE_SECONDS)


def cached_user(user_id) -> User | None:
    values = _cache("get", f"{USER_PREFIX}{user_id}") if user_id else None
    # An entry another version of the portal wrote (other fields) is no entry.
    if not isinstance(values, dict) or values.keys() != _ENTRY_KEYS:
        return None
    # The password hash stays deferred: read from the database only if something asks.
    user = User.from_db(
        router.db_for_read(User), _CACHED_FIELDS, [values[name] for name in _CACHED_FIELDS]
    )
    user.cached_session_auth_hash = values["session_auth_hash"]
    user.cached_usable_password = values["usable_password"]
    return user


@receiver([post_save, post_delete], sender=User, dispatch_uid="session-user-cache")
def _forget_user(sender, instance: User, **kwargs) -> None:
    _drop(f"{USER_PREFIX}{instance.pk}")


_asking: ContextVar["SessionStore | None"] = ContextVar("asking_session", default=None)


class SessionStore(db.SessionStore):
    """Django's database sessions, with the session's user read in the same query."""

    joined_user: User | None = None

    def load(self):
        self.joined_user = None
        key = self.session_key
        if key and key.isalnum() and len(key) <= 40:  # a session key's length at most
            data = _cache("get", SESSION_PREFIX + key)
            if isinstance(data, dict):
                self.joined_user = cached_user(data.get(SESSION_KEY))
                return data
        session = self._get_session_from_db()
        if session is None:
            return {}
        data = self.decode(session.session_data)
        age = (session.expire_date - timezone.now()).total_seconds()
        _cache("set", SESSION_PREFIX + self.session_key, data, _timeout(age))
        if self.joined_user is not None:
            cache_user(self.joined_user)
        return data

    def save(self, must_create=False):
        super().save(must_create)
        _cache(
            "set", SESSION_PREFIX + self.session_key, self._session, _timeout(self.get_expiry_age())
        )

    def delete(self, session_key=None):
        key = session_key or self.session_key
        if key:  # the cache first: if the database's delete fails, it is read afresh
            _drop(SESSION_PREFIX + key)
        super().delete(session_key)

    def _get_session_from_db(self):
        self.joined_user = None
        key = self.session_key
        # Keys are made of letters and digits: anything else (a NUL byte, which
        # PostgreSQL refuses in a query) is no session at all.
        if not key or not key.isalnum():
            self._session_key = None
            return None
        session, usersession, user = self.model._meta, UserSession._meta, User._meta
        selected = ", ".join(f'u."{field.column}"' for field in user.concrete_fields)
        # Only table and column names of the models go into the text; the key is a parameter.
        sql = (
            f'SELECT s."session_data" AS "joined_session_data", '  # noqa: S608
            f's."expire_date" AS "joined_expire_date", {selected} '
            f'FROM "{session.db_table}" s '
            f'LEFT JOIN "{usersession.db_table}" us ON us."session_key" = s."session_key" '
            f'LEFT JOIN "{user.db_table}" u ON u."{user.pk.column}" = us."user_id" '
            f'WHERE s."session_key" = %s AND s."expire_date" > %s'
        )
        alias = router.db_for_read(self.model)
        now = connections[alias].ops.adapt_datetimefield_value(timezone.now())
        # A raw queryset of users converts each column as the ORM would (SQLite's dates).
        rows = list(User.objects.db_manager(alias).raw(sql, [key, now]))
        if not rows:
            self._session_key = None
            return None
        row = rows[0]
        data, expires = row.joined_session_data, row.joined_expire_date
        del row.joined_session_data, row.joined_expire_date  # the user carries none of it
        # The extra column is not converted by the raw queryset: the backend's converters
        # do it as for the model's field (SQLite keeps UTC without saying so).
        field = self.model._meta.get_field("expire_date")
        column, connection = field.get_col(session.db_table), connections[alias]
        for convert in connection.ops.get_db_converters(column):
            expires = convert(expires, column, connection)
        if row.pk is not None:
            self.joined_user = row
        return self.model(session_key=key, session_data=data, expire_date=expires)


class SessionUserMixin:
    """A backend that takes the user the session's query already read, if it is theirs."""

    def get_user(self, user_id):
        store = _asking.get()
        user = getattr(store, "joined_user", None)
        if user is not None and str(user.pk) == str(user_id):
            return user if self.user_can_authenticate(user) else None
        user = super().get_user(user_id)
        if user is not None and store is not None:
            cache_user(user)  # the session came from the cache, its user did not
        return user


class ModelBackend(SessionUserMixin, DjangoModelBackend):
    """Django's ModelBackend (staff's admin login), reading the user with the session."""


class AuthenticationBackend(SessionUserMixin, AllauthBackend):
    """allauth's backend (the founders' login), reading the user with the session."""


def get_user(request):
    """Django's get_user, with the request's session store in view of the backends."""
    token = _asking.set(request.session)
    try:
        return django_get_user(request)
    finally:
        _asking.reset(token)


class AuthenticationMiddleware(DjangoMiddleware):
    """Django's AuthenticationMiddleware, whose request.user is read with the session."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
