"""The account's personal data, and the decisions for the third-party models that follow it.

Registered with alliance.privacy.registry (imported by alliance/privacy/apps.py, once the
models are loaded).
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from alliance.accounts.models import User
from alliance.privacy.registry import exempt, register


def _audit_rows(user):
    account = ContentType.objects.get_for_model(User)
    return LogEntry.objects.filter(Q(actor=user) | Q(content_type=account, object_id=user.pk))


def _sessions(user):
    # Looked up by label: a model another change of issue 14 adds.
    return apps.get_model("accounts.UserSession").objects.filter(user=user)


register(
    "accounts.User",
    rows=lambda user: User.objects.filter(pk=user.pk),
    exclude=("password",),  # a hash, not information about the person
)
register(
    "accounts.UserSession",
    rows=_sessions,
    exclude=("session_key",),  # it would let its holder in
    note="When the user logged in (sessions that are still open).",
)
register("account.EmailAddress", rows=lambda user: EmailAddress.objects.filter(user=user))
register(
    "mfa.Authenticator",
    rows=lambda user: Authenticator.objects.filter(user=user),
    fields=("type", "created_at", "last_used_at"),  # never `data`: it holds the secrets
)
register(
    "admin.LogEntry",
    rows=lambda user: AdminLogEntry.objects.filter(user=user),
    # What a staff member did in the admin, without the changed objects' names and
    # messages (they name other people).
    fields=("action_time", "content_type", "object_id", "action_flag"),
)
register(
    "auditlog.LogEntry",
    rows=_audit_rows,
    # Who did what when and from where (the user as actor, or their account as the
    # object), not the changed values: they can name other people.
    fields=("content_type", "object_id", "action", "actor", "remote_addr", "timestamp"),
)
exempt(
    "sessions.Session",
    reason="Only the signed session data of a login; the user's sessions are exported "
    "through accounts.UserSession (without their keys).",
)
exempt(
    "account.EmailConfirmation",
    reason="A pending confirmation's key; the address it confirms is exported with "
    "account.EmailAddress.",
)
exempt("auth.Group", reason="A role's name.")
exempt("auth.Permission", reason="A permission's name.")
exempt(
    "rest_framework_api_key.APIKey",
    reason="The library's own key model, unused: partners' keys are partners.PartnerApiKey.",
)
