"""A founder's way from a programme's page to applying: account, start-up, application.

The programme travels as `next` through sign-up, the verification link, login and
creating a start-up. Only a path on this site is followed: a `next` with a scheme or a
host (`https://evil.example/`, `//evil.example/`) is dropped.
"""

from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

STEPS = (("account", _("Account")), ("startup", _("Start-up")), ("application", _("Application")))
# The pages of each step, by view name; the apply section of a programme's page says its own.
STEP_OF_VIEW = {
    "account_signup": "account",
    "account_login": "account",
    "account_email_verification_sent": "account",
    "account_confirm_email": "account",
    "startups:startup-create": "startup",
}


def is_local(url: str) -> bool:
    """Whether `url` is a path on this site (no scheme, no host)."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def next_url(request: HttpRequest) -> str:
    """The request's `next` (form, else query) if it is local, else ""."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    return url if is_local(url) else ""


def with_next(url: str, next_: str) -> str:
    """`url` carrying `next_` in its query (if there is one)."""
    if not next_:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': next_})}"


def leads_to_programme(url: str) -> bool:
    """Whether the local `url` is a programme's page: the journey's destination."""
    if not is_local(url):
        return False
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    return match.view_name == "exchanges:programme-detail"


def steps(current: str) -> list[dict[str, object]]:
    """The three steps, each done, current or to come."""
    index = [key for key, _label in STEPS].index(current)
    return [
        {
            "key": key,
            "label": label,
            "state": "done" if position < index else "current" if position == index else "todo",
        }
        for position, (key, label) in enumerate(STEPS)
    ]
