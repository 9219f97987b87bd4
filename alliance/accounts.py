"""Accounts: allauth wired to the email-only User, its emails sent through the outbox."""

import ipaddress

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows import email_verification
from allauth.account.models import EmailAddress
from allauth.account.signals import email_changed, email_confirmed
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils import timezone, translation

from alliance.emails import queue_rendered
from alliance.models import User


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """The client's address as our proxies report it (ALLAUTH_TRUSTED_PROXY_COUNT).

        A shorter X-Forwarded-For than the proxies we trust (a request that bypassed one)
        counts by its last entry, the address our nearest proxy saw, instead of raising.
        """
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            last = request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
            try:
                return str(ipaddress.ip_address(last))
            except ValueError:
                return request.META["REMOTE_ADDR"]

    def save_user(self, request, user, form, commit=True):
        """Remember the language the person signed up in: their emails use it."""
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES):
            user.language = language
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email in the recipient's language and queue it in the outbox."""
        user = User.objects.filter(email__iexact=email).first()
        language = user.language if user else translation.get_language() or "en"
        with translation.override(language):
            message = self.render_mail(template_prefix, email, {"email": email, **context})
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        queue_rendered(
            template_key=template_prefix,
            recipient=email,
            language=language,
            subject=message.subject,
            text=message.body,
            html=html,
            confidential=True,
        )


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


class SignupForm(AllauthSignupForm):
    """Sign-up that answers the same whether or not the address is registered.

    Nobody is logged in by signing up: both a new and a registered address get
    "check your email"; the new one a verification link, the registered one a note that
    the account exists. (Unverified users can still log in with their password later.)
    """

    def validate_unique_email(self, value: str) -> str:
        try:
            return super().validate_unique_email(value)
        except ValidationError as error:
            if error.code != "email_taken":
                raise
            self.account_already_exists = True
            return value

    def try_save(self, request):
        email = self.cleaned_data["email"]
        if self.account_already_exists:
            # The same work as for a new address, so neither the answer (page, message,
            # cookies) nor its time tells the two apart: hash the password as a new
            # account would, touch the session as setting up its address does, and go
            # through allauth's own path for a registered address (one outbox row, sent
            # after the response by the outbox).
            make_password(self.cleaned_data["password1"])
            get_adapter().unstash_verified_email(request)
            address, user = EmailAddress(email=email), None
        else:
            user = self.save(request)
            address = email_verification.get_address_for_user(user)
        sent = email_verification.send_verification_email_to_address(request, address, signup=True)
        if not sent:
            # A mail skipped by the per-address cooldown must not show: say it anyway.
            email_verification.add_email_verification_sent_message(request, email, signup=True)
        return user, redirect("account_email_verification_sent")
