"""Translated content: a field's value in a language, and the attributes that mark it."""

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info, gettext
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


def is_foreign(language: str, reader_language: str | None = None) -> bool:
    """Whether text in `language` is not in the language the reader reads (the active one)."""
    reader_language = reader_language or get_language() or settings.LANGUAGE_CODE
    return language.lower() != reader_language.lower()


def language_attributes(language: str) -> SafeString:
    """Return `lang` attributes for `language`, and `dir` where its direction differs from
    the page's: right-to-left text in any page, left-to-right text in a right-to-left page."""
    if language in RTL_LANGUAGES:
        return format_html(' lang="{}" dir="rtl"', language)
    if (get_language() or "") in RTL_LANGUAGES:
        return format_html(' lang="{}" dir="ltr"', language)
    return format_html(' lang="{}"', language)


def language_name(language: str) -> str:
    """The name of `language` in the active language ("Englisch" for en, read in German)."""
    try:
        return str(get_language_info(language)["name_translated"])
    except KeyError:
        return language


def fallback_note(language: str) -> str:
    """Tell the reader that a text is shown in `language` because theirs is missing."""
    return gettext("Only available in %(language)s") % {"language": language_name(language)}


def text_with_note(obj: object, field: str, language: str | None = None) -> str:
    """The field's value as plain text (emails), followed by the note if it falls back."""
    value, shown_in = translated_value(obj, field, language)
    if value and is_foreign(shown_in, language):
        return f"{value} ({fallback_note(shown_in)})"
    return value
