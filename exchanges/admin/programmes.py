"""The admin of exchange programmes: their questions, criteria, hosts, dates and seats."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.accounts.models import User
from alliance.admin_languages import LanguageTabsAdmin, LanguageTabularInline
from alliance.errors import DomainError
from exchanges import access, services
from exchanges.admin import board, exports
from exchanges.admin.forms import ProgrammeAdminForm
from exchanges.admin.reviews import CriterionInline
from exchanges.models import ExchangeProgramme, ProgrammeQuestion


class QuestionInline(LanguageTabularInline):
    model = ProgrammeQuestion
    extra = 0
    fields = ("position", "text", "kind", "choices", "required")


@admin.register(ExchangeProgramme)
class ExchangeProgrammeAdmin(LanguageTabsAdmin):
    form = ProgrammeAdminForm
    list_display = (
        "title",
        "host_city",
        "format",
        "status",
        "applications_close_at",
        "seats",
        board.board_link,
    )
    list_filter = ("status", "format", "host_city")
    list_select_related = ("host_city",)
    search_fields = ("title_en", "title_de", "slug")
    prepopulated_fields = {"slug": ("title_en",)}
    # Eligible origin cities are checkboxes (ProgrammeAdminForm): the network is small.
    autocomplete_fields = ("host_city", "host_organisation", "co_organisers")
    inlines = [QuestionInline, CriterionInline]
    actions = ["announce_decisions", *exports.PROGRAMME_ACTIONS]
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "format", "summary")}),
        (_("Hosts"), {"fields": ("host_city", "host_organisation", "co_organisers")}),
        (
            _("Dates"),
            {"fields": ("starts_on", "ends_on", "applications_open_at", "applications_close_at")},
        ),
        (_("Seats"), {"fields": ("seats", "confirmation_days", "automatic_backfill")}),
        (
            _("Eligibility"),
            {
                "fields": (
                    "eligible_origin_cities",
                    "max_company_age_years",
                    "allowed_stages",
                    "requires_product_launched",
                    "requires_pitch_deck",
                    "sectors",
                )
            },
        ),
        (_("Content"), {"fields": ("description", "benefits")}),
        (_("Staff"), {"fields": ("managers", "reviewers")}),
    )

    filter_horizontal = ("managers", "reviewers")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in {"managers", "reviewers"}:
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_urls(self):
        return board.urls(self) + super().get_urls()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """Managers change the programmes they are assigned to; administrators, every one."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or access.manages(request.user, obj)

    def has_export_permission(self, request: HttpRequest) -> bool:
        """Who sees the export actions; the export checks each programme (access.may_export)."""
        return request.user.has_perm("exchanges.export_application")

    @admin.action(description=_("Announce the staged decisions"), permissions=["change"])
    def announce_decisions(self, request: HttpRequest, queryset: QuerySet) -> None:
        for programme in queryset:
            try:
                announced = services.announce_decisions(programme, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{programme}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(programme)s: %(count)d decision announced.",
                        "%(programme)s: %(count)d decisions announced.",
                        len(announced),
                    )
                    % {"programme": programme, "count": len(announced)},
                )
