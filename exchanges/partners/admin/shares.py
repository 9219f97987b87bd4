"""The feed rows and the data-access ledger: read-only, only the system writes them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from exchanges.partners.models import ApplicationShare, DataAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the system writes: staff look, never add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LiveFilter(admin.SimpleListFilter):
    title = _("in the organisation's view")
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no: a tombstone"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(removed_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(removed_at__isnull=False)
        return queryset


@admin.register(ApplicationShare)
class ApplicationShareAdmin(ReadOnlyAdmin):
    list_display = (
        "application_ref",
        "organisation",
        "application",
        "position",
        "shared_at",
        "changed_at",
        "removed_at",
    )
    list_filter = (LiveFilter, "organisation")
    list_select_related = ("organisation", "application__startup", "application__programme")
    search_fields = ("=application_ref", "application__startup__name")
    date_hierarchy = "changed_at"
    ordering = ("organisation", "-position")


@admin.register(DataAccess)
class DataAccessAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "organisation",
        "key",
        "application",
        "profile",
        "answers",
        "pitch_deck",
        "first_at",
        "last_at",
    )
    list_filter = ("pitch_deck", "organisation")
    list_select_related = (
        "organisation",
        "key",
        "application__startup",
        "application__programme",
    )
    search_fields = ("application__startup__name", "key__prefix", "key__name")
    date_hierarchy = "day"
