"""Translated content: a field's value in a language, and the attributes that mark it."""

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

RTL_LANGUAGES = {"ar", "he"}


def translated_value(obj: object, field: str, language: str | None = None) -> tuple[str, str]:
    """Return the value of `field` in `language` (else its fallback) and that language."""
    language = language or get_language() or settings.LANGUAGE_CODE
    candidates = [language, *settings.MODELTRANSLATION_FALLBACK_LANGUAGES]
    for code in candidates:
        if code not in settings.MODELTRANSLATION_LANGUAGES:
            continue
        value = getattr(obj, build_localized_fieldname(field, code), None)
        if value:
            return value, code
    return "", language


def language_attributes(language: str) -> SafeString:
    """Return `lang` (and `dir` for right-to-left scripts) attributes for `language`."""
    if language in RTL_LANGUAGES:
        return format_html(' lang="{}" dir="rtl"', language)
    return format_html(' lang="{}"', language)
