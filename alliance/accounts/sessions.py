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
"""

from contextvars import ContextVar

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user as django_get_user
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoMiddleware
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from alliance.accounts.models import User, UserSession

_asking: ContextVar["SessionStore | None"] = ContextVar("asking_session", default=None)


class SessionStore(db.SessionStore):
    """Django's database sessions, with the session's user read in the same query."""

    joined_user: User | None = None

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
            f'SELECT s."session_data" AS "joined_session_data", {selected} '  # noqa: S608
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
        data = row.joined_session_data
        del row.joined_session_data  # the user carries none of the session's data
        if row.pk is not None:
            self.joined_user = row
        return self.model(session_key=key, session_data=data)


class SessionUserMixin:
    """A backend that takes the user the session's query already read, if it is theirs."""

    def get_user(self, user_id):
        store = _asking.get()
        user = getattr(store, "joined_user", None)
        if user is not None and str(user.pk) == str(user_id):
            return user if self.user_can_authenticate(user) else None
        return super().get_user(user_id)


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
