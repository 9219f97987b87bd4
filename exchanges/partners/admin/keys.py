"""Staff issue and revoke partner keys: the secret is shown once, stored only hashed."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework_api_key.models import APIKey

from exchanges.partners.models import PartnerApiKey, Scope

# The library's own key model is unused; its admin would issue keys that open nothing and
# show their secret in a message kept in a cookie or the session.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class PartnerApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the key may do."),
    )

    class Meta:
        model = PartnerApiKey
        fields = ["organisation", "name", "scopes", "expiry_date", "revoked"]
        labels = {
            "name": _("name"),
            "expiry_date": _("expires"),
            "revoked": _("revoked"),
        }
        help_texts = {
            "name": _("Which system or person of the organisation uses the key."),
            "expiry_date": _("Empty: the key does not expire."),
            "revoked": _("A revoked key stops working at once. This cannot be undone."),
        }

    def clean_scopes(self) -> list[str]:
        chosen = set(self.cleaned_data["scopes"])
        return [scope for scope in Scope.values if scope in chosen]


class KeyStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("usable", _("usable")),
            ("revoked", _("revoked")),
            ("expired", _("expired")),
            ("no_agreement", _("no active agreement")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "usable":
            return queryset.filter(usable=True)
        if self.value() == "revoked":
            return queryset.filter(revoked=True)
        if self.value() == "expired":
            return queryset.filter(revoked=False, expiry_date__lte=now)
        if self.value() == "no_agreement":
            return queryset.filter(revoked=False, usable=False).filter(
                Q(expiry_date__isnull=True) | Q(expiry_date__gt=now)
            )
        return queryset


@admin.register(PartnerApiKey)
class PartnerApiKeyAdmin(admin.ModelAdmin):
    form = PartnerApiKeyForm
    list_display = (
        "name",
        "organisation",
        "prefix",
        "scope_list",
        "created",
        "expiry_date",
        "last_used_at",
        "status",
    )
    list_filter = (KeyStatusFilter, "revoked", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("name", "prefix", "organisation__name")
    autocomplete_fields = ("organisation",)
    date_hierarchy = "created"
    actions = ["revoke"]

    def get_queryset(self, request):
        usable = PartnerApiKey.objects.usable().filter(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(usable=Exists(usable))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organisation", "name", "scopes", "expiry_date")
        return (
            "organisation",
            "name",
            "prefix",
            "scopes",
            "expiry_date",
            "revoked",
            "created",
            "created_by",
            "last_used_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.revoked:
            return self.get_fields(request, obj)
        # A key belongs to one organisation for good: another's needs its own key.
        return ("organisation", "prefix", "created", "created_by", "last_used_at")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the ledger keeps naming the key

    @admin.display(description=_("scopes"))
    def scope_list(self, key: PartnerApiKey) -> str:
        return ", ".join(key.scopes or [])

    @admin.display(description=_("status"))
    def status(self, key: PartnerApiKey) -> str:
        if key.revoked:
            return _("revoked")
        if key.has_expired:
            return _("expired")
        if not getattr(key, "usable", True):
            return _("no active agreement")
        return _("usable")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            # Shown once, by response_add; only the hash is stored.
            request._partner_key_secret = PartnerApiKey.objects.assign_key(obj)
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_partner_key_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        del request._partner_key_secret
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            "title": _("The new key of %(organisation)s") % {"organisation": obj.organisation},
            "opts": opts,
            "key": obj,
            "secret": secret,
            "change_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
            ),
            "list_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        }
        request.current_app = self.admin_site.name
        response = TemplateResponse(request, "partners/partnerapikey_created.html", context)
        # The page holds the secret: no cache may keep it.
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True)
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        revoked = 0
        # One save per key, not an update(): the audit log follows saves.
        for key in queryset.filter(revoked=False):
            key.revoked = True
            key.save(update_fields=["revoked"])
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
