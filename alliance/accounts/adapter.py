"""allauth wired to the email-only User, its emails sent through the outbox."""

import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from alliance.accounts import journey
from alliance.accounts.models import User
from alliance.mail.outbox import queue_rendered


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

    def is_safe_url(self, url: str) -> bool:
        """Follow a `next` only to a path on this site: never to another host or scheme."""
        return journey.is_local(url or "")

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        """allauth's link, carrying the sign-up's `next` (a programme) through the email."""
        url = super().get_email_confirmation_url(request, emailconfirmation)
        return journey.with_next(url, journey.next_url(request) if request else "")

    def save_user(self, request, user, form, commit=True):
        """Take the name, and the language the person signed up in: their emails use it."""
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "").strip()
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
