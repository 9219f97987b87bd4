"""Absolute links to the portal's pages, for emails and other messages sent out."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def absolute_url(name: str, language: str | None = None, **kwargs: object) -> str:
    """The absolute URL of the page `name` (in `language`, for language-prefixed pages)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        path = reverse(name, kwargs=kwargs or None)
    return f"{settings.SITE_URL.rstrip('/')}{path}"
