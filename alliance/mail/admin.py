import functools
from pathlib import Path

import allauth
from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from alliance.admin_languages import LanguageTabsAdmin
from alliance.mail.models import EmailMessage, EmailTemplate
from alliance.mail.templates import default_keys, fill, sync_defaults


@functools.cache
def account_keys() -> list[str]:
    """The keys of allauth's account emails (alliance.accounts.adapter queues them)."""
    folder = Path(allauth.__file__).parent / "templates" / "account" / "email"
    return sorted(
        f"account/email/{p.name.removesuffix('_subject.txt')}" for p in folder.glob("*_subject.txt")
    )


class TemplateKeyFilter(admin.SimpleListFilter):
    """Which email: from the known list, never a `SELECT DISTINCT` over the outbox."""

    title = _("template")
    parameter_name = "template_key"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [(key, key) for key in [*default_keys(), *account_keys()]]

    def queryset(self, request, queryset):
        return queryset.filter(template_key=self.value()) if self.value() else queryset


class LanguageFilter(admin.SimpleListFilter):
    """The recipient's language, from settings.LANGUAGES."""

    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return list(settings.LANGUAGES)

    def queryset(self, request, queryset):
        return queryset.filter(language=self.value()) if self.value() else queryset


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent, what failed and why.

    Fast at a million emails: no counts (`count_free`, alliance/adminsite.py), filters
    whose choices are known lists, a date filter instead of the date hierarchy (which
    reads the distinct years, months and days of the whole table), the order served by
    the index `email_recent` and the status filter by `email_status_recent`; the search
    matches a whole address (`email_recipient_upper`) or Message-ID, not a part of one
    (which would read every row).
    """

    list_display = (
        "template_key",
        "recipient",
        "language",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "last_error",
    )
    list_filter = (
        "status",
        TemplateKeyFilter,
        LanguageFilter,
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("=recipient", "message_id__exact")
    search_help_text = _("Finds emails by their recipient's whole address or their Message-ID.")
    count_free = True
    show_full_result_count = False
    fields = (
        "recipient",
        "language",
        "template_key",
        "subject",
        "body",
        "message_id",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("text"))
    def body(self, message: EmailMessage) -> str:
        if message.confidential:
            return _(
                "(confidential: its link lets the reader in; never shown, and erased once sent)"
            )
        return message.body_text

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EmailTemplate)
class EmailTemplateAdmin(LanguageTabsAdmin):
    """Staff edit the wording of the portal's emails, with a preview in each language."""

    list_display = ("key", "customised", "updated_at")
    list_filter = ("customised",)
    search_fields = ("key", "subject_en", "subject_de")
    fields = ("key", "placeholders", "subject", "body", "preview", "customised")
    readonly_fields = ("key", "placeholders", "preview", "customised")
    actions = ["reset_to_default"]

    @admin.display(description=_("preview"))
    def preview(self, template: EmailTemplate) -> str:
        sample = {name: f"«{name}»" for name in template.placeholders.split()}
        parts = []
        for code, name in settings.LANGUAGES:
            subject = getattr(template, build_localized_fieldname("subject", code))
            body = getattr(template, build_localized_fieldname("body", code))
            subject = fill(subject or template.subject_en, sample)
            body = fill(body or template.body_en, sample)
            parts.append(
                format_html(
                    "<h3>{}</h3><p><strong>{}</strong></p><pre>{}</pre>", name, subject, body
                )
            )
        return format_html_join("", "{}", ((part,) for part in parts))

    def save_model(self, request, obj, form, change) -> None:
        obj.customised = True
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request) -> bool:
        return False  # every template comes from a default file

    @admin.action(description=_("Reset to the default wording"), permissions=["change"])
    def reset_to_default(self, request, queryset) -> None:
        sync_defaults(reset=list(queryset.values_list("key", flat=True)))
        self.message_user(request, _("The selected templates have their default wording again."))
