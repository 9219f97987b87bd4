"""Receivers of allauth's signals, connected in AccountsConfig.ready()."""

from allauth.account.signals import email_changed, email_confirmed
from django.dispatch import receiver
from django.utils import timezone


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
