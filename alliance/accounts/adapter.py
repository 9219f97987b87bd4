"""allauth wired to the email-only User, its emails sent through the outbox.

The account emails a founder can get (verification, the "already registered" note, the
"no such account" note, the password reset) are the portal's own, in the portal's layout:
templates/account/email/<name>.subject.txt and <name>.txt, filled from a flat dictionary
of strings like every other email. allauth's own templates ("Hello from {{ site_name }}!",
which needs django.contrib.sites) are only a fallback for emails the settings turn off.
"""

import ipaddress
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from alliance.accounts import journey
from alliance.accounts.models import User
from alliance.mail.outbox import queue_rendered
from alliance.mail.rendering import render_message

# The links allauth puts in its emails, each a page of the portal.
LINKS = ("activate_url", "password_reset_url", "signup_url")


def on_site(url: str) -> str:
    """`url` at SITE_URL: allauth builds links on the request's host, emails need ours."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{settings.SITE_URL.rstrip('/')}{parts.path}{query}"


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
        """Render an account email in the recipient's language and queue it in the outbox."""
        user = User.objects.filter(email__iexact=email).first()
        language = user.language if user else translation.get_language() or "en"
        with translation.override(language):
            values = {
                "site_name": _("Start Alliance Berlin"),
                "email": email,
                "login_url": on_site(reverse("account_login")),
                **{key: on_site(context[key]) for key in LINKS if context.get(key)},
            }
        try:
            get_template(f"{template_prefix}.txt")
        except TemplateDoesNotExist:
            subject, text, html = self._allauth_mail(template_prefix, email, context, language)
        else:
            subject, text, html = render_message(template_prefix, None, language, values)
        queue_rendered(
            template_key=template_prefix,
            recipient=email,
            language=language,
            subject=subject,
            text=text,
            html=html,
            confidential=True,
        )

    def _allauth_mail(
        self, template_prefix: str, email: str, context: dict, language: str
    ) -> tuple[str, str, str]:
        """allauth's own wording, for an email the portal has none for (one turned off)."""
        with translation.override(language):
            site = SimpleNamespace(name=_("Start Alliance Berlin"), domain=settings.SITE_URL)
            message = self.render_mail(
                template_prefix, email, {"email": email, "current_site": site, **context}
            )
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        return message.subject, message.body, html
