"""Translated fields in the admin: each language's field marked with its language and
direction, and each language tab with whether that language is filled in.

modeltranslation draws a tab per language for every translated field (TabbedTranslation
Admin). Here every per-language widget gets `lang` and, for Arabic and Hebrew, `dir="rtl"`,
so staff type those right to left; static/admin/js/language_tabs.js marks each tab
"filled" or "empty" (and keeps the mark as staff type), so a record's missing languages
show without opening every tab.
"""

from django import forms
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline
from modeltranslation.fields import TranslationField

from alliance.i18n import RTL_LANGUAGES


def language_attrs(language: str) -> dict[str, str]:
    """The widget attributes of a field in `language`."""
    return {
        "lang": language,
        "dir": "rtl" if language in RTL_LANGUAGES else "ltr",
    }


class LanguageFieldsMixin:
    """Mark each per-language widget with its language and direction."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, TranslationField):
            field.widget.attrs.update(language_attrs(db_field.language))
        return field


class LanguageTabsAdmin(LanguageFieldsMixin, TabbedTranslationAdmin):
    """A translated model's admin: tabs per language, each marked filled or empty."""

    @property
    def media(self):
        return super().media + forms.Media(js=["admin/js/language_tabs.js"])


class LanguageTabularInline(LanguageFieldsMixin, TranslationTabularInline):
    """A translated inline: its per-language fields marked with language and direction."""
