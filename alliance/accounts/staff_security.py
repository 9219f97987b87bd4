"""Staff accounts: a second factor before /admin/, sessions that end when idle, and the
means to end a user's other sessions.

Staff control every application, so a password alone does not open the admin: a staff
member without an authenticator (allauth.mfa: TOTP or a security key) is sent to set one
up, and one who has an authenticator but did not use it in this session is sent to the
second-factor step. allauth records the methods a session authenticated with
(`get_authentication_records`); "mfa" among them is the proof. `STAFF_MFA_REQUIRED`
switches the rule off for the test suite only, whose tests log staff in with
`force_login`.

A staff session without a request for `STAFF_SESSION_IDLE_SECONDS` is logged out.

The sessions a user logged in with are kept as `UserSession` rows, so that a password
change or a second-factor reset can end the others without decoding every session.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from auditlog import get_logentry_model
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from alliance.accounts.models import User, UserSession

LAST_SEEN_KEY = "staff_last_seen"
# The last-seen time is written at most this often: not a session save on every request.
LAST_SEEN_RESOLUTION = 60
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def mfa_required() -> bool:
    """Whether staff need a second factor for the admin (off only in the test suite)."""
    return getattr(settings, "STAFF_MFA_REQUIRED", True)


def idle_limit() -> int:
    return getattr(settings, "STAFF_SESSION_IDLE_SECONDS", 2 * 3600)


def has_second_factor(user: User) -> bool:
    """Whether the user has an authenticator app or a security key (codes alone are none)."""
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


def used_second_factor(request: HttpRequest) -> bool:
    """Whether this session authenticated with a second factor (or a passkey)."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def record_second_factor(request: HttpRequest, authenticator: Authenticator) -> None:
    """Count an authenticator just set up as used in this session: setting it up took a
    valid code, or the key itself."""
    record_authentication(
        request, request.user, "mfa", id=authenticator.pk, type=authenticator.type
    )


def _admin_path() -> str:
    return reverse("admin:index")


def _second_factor_step(request: HttpRequest) -> HttpResponseRedirect:
    """Where a staff member with an authenticator proves it: code first, else the key."""
    has_code = Authenticator.objects.filter(
        user_id=request.user.pk, type=Authenticator.Type.TOTP
    ).exists()
    url = reverse("mfa_reauthenticate" if has_code else "mfa_reauthenticate_webauthn")
    return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


def _setup(request: HttpRequest) -> HttpResponseRedirect:
    messages.warning(
        request,
        _(
            "Staff accounts need two-factor authentication: set up an authenticator app "
            "or a security key, then go back to the admin."
        ),
    )
    url = reverse("mfa_index")
    return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


class StaffSecurityMiddleware:
    """Log out idle staff sessions; keep staff without a second factor out of /admin/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            if self._idle_too_long(request):
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)s minutes without activity.")
                    % {"minutes": idle_limit() // 60},
                )
            else:
                response = self._second_factor_gate(request)
                if response is not None:
                    return response
        return self.get_response(request)

    def _idle_too_long(self, request: HttpRequest) -> bool:
        now = time.time()
        last_seen = request.session.get(LAST_SEEN_KEY)
        if isinstance(last_seen, (int, float)) and now - last_seen > idle_limit():
            return True
        if not isinstance(last_seen, (int, float)) or now - last_seen >= LAST_SEEN_RESOLUTION:
            request.session[LAST_SEEN_KEY] = int(now)
        return False

    def _second_factor_gate(self, request: HttpRequest) -> HttpResponse | None:
        if not mfa_required() or not request.path.startswith(_admin_path()):
            return None
        if request.path == reverse("admin:logout") or used_second_factor(request):
            return None
        if not has_second_factor(request.user):
            return _setup(request)
        return _second_factor_step(request)


def mark_seen(request: HttpRequest) -> None:
    """Start the idle clock of a session that just logged in."""
    request.session[LAST_SEEN_KEY] = int(time.time())


def remember_session(request: HttpRequest, user: User) -> None:
    """Keep the session a user just logged in with, to end it later from elsewhere."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
    # Sessions that expired on their own leave rows behind: the user's are swept here.
    expired = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    UserSession.objects.filter(user=user, created_at__lt=expired).delete()


def forget_session(request: HttpRequest) -> None:
    key = getattr(request, "session", None) and request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()


def end_other_sessions(user: User, *, keep: str | None = None) -> int:
    """End every session of `user` but `keep` (the current one); the number ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    others = UserSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(others.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    others.delete()
    return len(keys)


def log_second_factor(user: User, change: str, *, actor: User | None = None) -> None:
    """Write an audit entry on the user: what happened to their second factor.

    The entry names the change only, never an authenticator's data (its secrets).
    """
    entry = get_logentry_model()
    fields = {"actor": actor} if actor is not None else {}
    entry.objects.log_create(
        user,
        action=entry.Action.UPDATE,
        changes={"second factor": ["", change]},
        **fields,
    )


def describe(authenticator: Authenticator) -> str:
    """An authenticator's kind and, for a key, its name: for the audit log (English)."""
    kind = {
        Authenticator.Type.TOTP: "authenticator app",
        Authenticator.Type.RECOVERY_CODES: "recovery codes",
        Authenticator.Type.WEBAUTHN: "security key",
    }.get(authenticator.type, authenticator.type)
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        return f"{kind} “{authenticator.wrap().name}”"
    return kind


@transaction.atomic
def reset_second_factor(user: User, *, by: User, keep_session: str | None = None) -> int:
    """Remove every authenticator of `user`, log it, and end their sessions.

    For a staff member who lost their device: they set up a new one at their next login.
    The number of authenticators removed.
    """
    removed = Authenticator.objects.filter(user_id=user.pk)
    count = removed.count()
    removed.delete()
    log_second_factor(user, f"reset by {by.email}: {count} authenticator(s) removed", actor=by)
    end_other_sessions(user, keep=keep_session if user.pk == by.pk else None)
    return count
