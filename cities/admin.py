from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.admin_languages import LanguageTabsAdmin, LanguageTabularInline
from cities.models import (
    EXPIRY_WARNING_DAYS,
    City,
    Contact,
    CooperationAgreement,
    PartnerOrganisation,
)


@admin.register(City)
class CityAdmin(LanguageTabsAdmin):
    list_display = ("name", "country", "timezone", "joined_year", "is_hub", "organisation_count")
    list_filter = ("is_hub", "country")
    search_fields = ("name_en", "name_de", "slug", "country")
    prepopulated_fields = {"slug": ("name_en",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "country", "timezone", "is_hub")}),
        (_("Location"), {"fields": ("latitude", "longitude")}),
        (_("Membership"), {"fields": ("joined_year", "joined_on", "member_by")}),
        (_("Description"), {"fields": ("description", "sources")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(org_count=Count("organisations"))

    @admin.display(description=_("organisations"), ordering="org_count")
    def organisation_count(self, city: City) -> int:
        return city.org_count


class ContactInline(LanguageTabularInline):
    model = Contact
    extra = 0
    fields = (
        "honorific",
        "full_name",
        "position",
        "email",
        "phone",
        "language",
        "receives_notifications",
    )


class AgreementInline(LanguageTabularInline):
    model = CooperationAgreement
    fk_name = "partner_organisation"
    extra = 0
    fields = ("hub_organisation", "status", "signed_on", "signed_year", "valid_from", "valid_until")
    show_change_link = True


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(LanguageTabsAdmin):
    list_display = ("name", "city", "kind", "is_hub_operator", "contact_count")
    list_filter = ("kind", "is_hub_operator", "city")
    list_select_related = ("city",)
    search_fields = ("name", "slug", "city__name_en", "city__name_de")
    autocomplete_fields = ("city",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ContactInline, AgreementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_contacts=Count("contacts"))

    @admin.display(description=_("contacts"), ordering="n_contacts")
    def contact_count(self, organisation: PartnerOrganisation) -> int:
        return organisation.n_contacts


@admin.register(Contact)
class ContactAdmin(LanguageTabsAdmin):
    list_display = (
        "__str__",
        "position",
        "organisation",
        "email",
        "language",
        "receives_notifications",
    )
    list_filter = ("language", "receives_notifications", "organisation__city")
    list_select_related = ("organisation",)
    search_fields = ("full_name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [
            ("active", _("active")),
            ("expiring", _("expiring within %(days)d days") % {"days": EXPIRY_WARNING_DAYS}),
            ("inactive", _("not active")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "active":
            return queryset.active(today)
        if self.value() == "expiring":
            return queryset.expiring(today)
        if self.value() == "inactive":
            return queryset.exclude(pk__in=queryset.active(today).values("pk"))
        return queryset


class CooperationAgreementForm(forms.ModelForm):
    class Meta:
        model = CooperationAgreement
        fields = (
            "hub_organisation",
            "partner_organisation",
            "signatories",
        )  # the admin adds the rest

    def clean(self):
        """Hand the submitted signatories to the model's check (`CooperationAgreement.clean`).

        Django saves many-to-many fields after the row, so the model would check the
        stored ones: the form gives it those about to be saved, before anything is saved.
        """
        cleaned = super().clean()
        if cleaned.get("signatories") is not None:
            self.instance.pending_signatories = cleaned["signatories"].select_related(
                "organisation"
            )
        return cleaned


@admin.register(CooperationAgreement)
class CooperationAgreementAdmin(LanguageTabsAdmin):
    form = CooperationAgreementForm
    list_display = (
        "partner_organisation",
        "partner_city",
        "status",
        "signed",
        "valid_from",
        "valid_until",
        "is_active",
        "validity_note",
    )
    list_filter = ("status", ValidityFilter, "partner_organisation__city")
    list_select_related = ("partner_organisation__city", "hub_organisation")
    search_fields = (
        "partner_organisation__name",
        "hub_organisation__name",
        "signatories__full_name",
    )
    autocomplete_fields = ("hub_organisation", "partner_organisation", "signed_in", "signatories")
    date_hierarchy = "signed_on"
    fieldsets = (
        (None, {"fields": ("hub_organisation", "partner_organisation", "status")}),
        (_("Signing"), {"fields": ("signed_on", "signed_year", "signed_in", "signatories")}),
        (_("Validity"), {"fields": ("valid_from", "valid_until")}),
        (_("Content"), {"fields": ("summary", "document", "sources")}),
    )

    @admin.display(description=_("city"), ordering="partner_organisation__city__name")
    def partner_city(self, agreement: CooperationAgreement) -> str:
        return str(agreement.partner_organisation.city)

    @admin.display(description=_("signed"), ordering="signed_year")
    def signed(self, agreement: CooperationAgreement) -> str:
        if agreement.signed_on:
            return agreement.signed_on.isoformat()
        return str(agreement.signed_year or "-")

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, agreement: CooperationAgreement) -> bool:
        return agreement.is_active

    @admin.display(description=_("validity"))
    def validity_note(self, agreement: CooperationAgreement) -> str:
        if agreement.is_expiring:
            days = agreement.days_left
            return ngettext("⚠ expires in %(days)d day", "⚠ expires in %(days)d days", days) % {
                "days": days
            }
        if agreement.valid_until is None and agreement.is_active:
            return _("open-ended")
        return ""
