"""Receivers of allauth's signals, connected in AccountsConfig.ready()."""

from allauth.account.signals import email_changed, email_confirmed, password_changed, password_reset
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import (
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
    authenticator_used,
)
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from alliance.accounts import staff_security


@receiver(email_changed)
def record_verified_primary(sender, request, user, from_email_address, to_email_address, **kwargs):
    """A verified address made primary counts as the user's verified email."""
    if to_email_address.verified and user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


@receiver(email_confirmed)
def record_verified_email(sender, request, email_address, **kwargs) -> None:
    """Mark the user's address as verified: submitting an application needs it."""
    user = email_address.user
    if user.email.lower() == email_address.email.lower() and user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


@receiver(user_logged_in)
def remember_login(sender, request, user, **kwargs) -> None:
    """Keep the session, to end it from elsewhere; start a staff session's idle clock."""
    if request is None or not hasattr(request, "session"):
        return
    staff_security.remember_session(request, user)
    staff_security.mark_seen(request)


@receiver(user_logged_out)
def forget_logout(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        staff_security.forget_session(request)


@receiver(password_changed)
@receiver(password_reset)
def end_sessions_on_password(sender, request, user, **kwargs) -> None:
    """A new password ends the user's other sessions (this one stays, under its new key)."""
    keep = request.session.session_key if request is not None else None
    staff_security.end_other_sessions(user, keep=keep)
    if keep and request.user.is_authenticated and request.user.pk == user.pk:
        staff_security.remember_session(request, user)


@receiver(authenticator_added)
def log_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    """Log a new second factor; setting one up proves it for this session."""
    staff_security.log_second_factor(user, f"{staff_security.describe(authenticator)} added")
    if (
        request is not None
        and request.user.is_authenticated
        and request.user.pk == user.pk
        and authenticator.type in staff_security.SECOND_FACTORS
    ):
        staff_security.record_second_factor(request, authenticator)


@receiver(authenticator_removed)
def log_authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    # allauth names the requester as `user`; the authenticator knows whose it was.
    owner = authenticator.user
    staff_security.log_second_factor(owner, f"{staff_security.describe(authenticator)} removed")


@receiver(authenticator_reset)
def log_authenticator_reset(sender, request, user, authenticator, **kwargs) -> None:
    staff_security.log_second_factor(user, f"{staff_security.describe(authenticator)} renewed")


@receiver(authenticator_used)
def log_recovery_code_used(sender, request, user, authenticator, **kwargs) -> None:
    """A recovery code used means a lost device: worth an entry (the others are logins)."""
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        # The instance allauth passes was read before the code was marked used.
        current = Authenticator.objects.filter(pk=authenticator.pk).first() or authenticator
        unused = len(current.wrap().get_unused_codes())
        staff_security.log_second_factor(user, f"recovery code used ({unused} left)", actor=user)
