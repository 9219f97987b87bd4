"""The admin of applications: the whole application on one page, decided by actions."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.errors import DomainError
from exchanges import access, services
from exchanges.admin import exports
from exchanges.admin.application_list import ApplicationListMixin
from exchanges.models import Application, ApplicationEvent, Verb
from exchanges.partners.models import DataAccess


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ("at", "verb", "from_state", "to_state", "actor", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DataAccessInline(admin.TabularInline):
    """Which partner organisation read the application through the API, and which parts."""

    model = DataAccess
    extra = 0
    can_delete = False
    fields = ("day", "organisation", "key", "profile", "answers", "pitch_deck", "last_at")
    readonly_fields = fields
    verbose_name_plural = _("read by partner organisations (the data-access ledger)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "key")


def _apply(name: str, verb_label: str, call: Callable[[Application, HttpRequest], object]):
    """An admin action that calls one service per selected application."""

    def action(modeladmin, request, queryset) -> None:
        done = 0
        programmes = {}
        for application in queryset.select_related("startup", "programme"):
            programmes[application.programme_id] = application.programme
            try:
                call(application, request)
            except DomainError as error:
                modeladmin.message_user(request, f"{application}: {error}", messages.ERROR)
            else:
                done += 1
        for programme in programmes.values():  # staging may promise more seats than are free
            warning = services.staged_seat_warning(programme)
            if warning:
                modeladmin.message_user(request, f"{programme}: {warning}", messages.WARNING)
        if done:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d application: %(verb)s.", "%(count)d applications: %(verb)s.", done
                )
                % {"count": done, "verb": verb_label},
            )

    action.__name__ = name
    return admin.action(description=verb_label, permissions=["change"])(action)


ACTIONS = {
    "start_review": (_("start review"), lambda a, r: services.start_review(a, by=r.user)),
    "shortlist": (_("shortlist"), lambda a, r: services.shortlist_application(a, by=r.user)),
    "waitlist": (_("waitlist"), lambda a, r: services.waitlist_application(a, by=r.user)),
    "accept": (_("accept"), lambda a, r: services.accept_application(a, by=r.user)),
    "reject": (_("reject"), lambda a, r: services.reject_application(a, by=r.user)),
    "stage_accept": (
        _("stage: accept"),
        lambda a, r: services.stage_decision(a, verb=Verb.ACCEPT, by=r.user),
    ),
    "stage_waitlist": (
        _("stage: waitlist"),
        lambda a, r: services.stage_decision(a, verb=Verb.WAITLIST, by=r.user),
    ),
    "stage_reject": (
        _("stage: reject"),
        lambda a, r: services.stage_decision(a, verb=Verb.REJECT, by=r.user),
    ),
    "clear_stage": (
        _("clear the staged decision"),
        lambda a, r: services.clear_staged_decision(a, by=r.user),
    ),
}


@admin.register(Application)
class ApplicationAdmin(ApplicationListMixin, admin.ModelAdmin):
    readonly_fields = (
        "programme",
        "startup",
        "created_by",
        "state",
        "pending_decision",
        "submitted_at",
        "decided_at",
        "confirm_by",
        "consent_at",
        "consent_text",
        "created_at",
        "updated_at",
    )
    # Everything is read-only here: states change through the actions (the services),
    # and the team's texts are the team's.
    fields = (*readonly_fields, "rank", "motivation", "goals", "needs", "pitch_deck")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    inlines = [EventInline, DataAccessInline]
    actions = [
        *(_apply(name, label, call) for name, (label, call) in ACTIONS.items()),
        *exports.APPLICATION_ACTIONS,
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Only the applications of the programmes the user is assigned to."""
        return super().get_queryset(request) & access.visible_applications(request.user)

    def has_add_permission(self, request) -> bool:
        return False  # applications are made by start-ups, through the portal
