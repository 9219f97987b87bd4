"""The staff list of audit entries: read-only, filtered by person, object type and date."""

from auditlog import get_logentry_model
from auditlog.registry import auditlog
from auditlog.render import render_logentry_changes_html
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _

from alliance.audit.history import person_of
from alliance.forms import is_row_id

LogEntry = get_logentry_model()
SYSTEM = "system"
PARTNER_KEYS = "partner-keys"


class PersonFilter(admin.SimpleListFilter):
    """Entries of one staff member, of partners' API keys, or of the system (no actor:
    jobs, commands)."""

    title = _("person")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        # Staff only: founders' own writes are in the list too, but naming every
        # founder here would render the whole user table.
        actors = get_user_model().objects.filter(
            is_staff=True,
            pk__in=LogEntry.objects.filter(actor__isnull=False).values("actor"),
        )
        return [
            (SYSTEM, _("system")),
            (PARTNER_KEYS, _("partner API keys")),
            *((str(user.pk), str(user)) for user in actors),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        nobody = queryset.filter(actor__isnull=True).filter(
            Q(actor_email__isnull=True) | Q(actor_email="")
        )
        if value == SYSTEM:
            return nobody.exclude(additional_data__has_key="partner_key")
        if value == PARTNER_KEYS:
            return nobody.filter(additional_data__has_key="partner_key")
        if is_row_id(value):
            return queryset.filter(actor_id=int(value))
        return queryset.none()


class ObjectTypeFilter(admin.SimpleListFilter):
    """Entries of one audited kind of object."""

    title = _("object type")
    parameter_name = "content_type"

    def lookups(self, request, model_admin):
        types = ContentType.objects.get_for_models(*auditlog.get_models())
        return sorted(
            ((str(ct.pk), capfirst(model._meta.verbose_name)) for model, ct in types.items()),
            key=lambda choice: str(choice[1]),
        )

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        if is_row_id(value):
            return queryset.filter(content_type_id=int(value))
        return queryset.none()


# Replaces the library's admin, which cannot filter by person and searches the stored
# values.
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "person", "action", "object_type", "object", "summary")
    list_filter = (PersonFilter, ObjectTypeFilter, "action")
    list_select_related = ("actor", "content_type")
    date_hierarchy = "timestamp"
    search_fields = ("object_repr",)
    show_full_result_count = False
    fields = ("timestamp", "person", "action", "object_type", "object", "changes_table")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("person"), ordering="actor__email")
    def person(self, entry) -> str:
        return person_of(entry)

    @admin.display(description=_("object type"))
    def object_type(self, entry) -> str:
        model = entry.content_type.model_class()
        return capfirst(model._meta.verbose_name) if model else entry.content_type.model

    @admin.display(description=_("object"))
    def object(self, entry) -> str:
        """The object's History page (also for a deleted object), else its name."""
        try:
            url = reverse(
                f"admin:{entry.content_type.app_label}_{entry.content_type.model}_history",
                args=[entry.object_pk],
            )
        except NoReverseMatch:
            return entry.object_repr
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)

    @admin.display(description=_("changes"))
    def summary(self, entry) -> str:
        """Each changed field with its old and new value (the first 300 characters)."""
        parts = []
        for name, change in sorted(entry.changes_dict.items()):
            if isinstance(change, dict):  # a many-to-many change
                objects = ", ".join(change.get("objects", []))
                parts.append(f"{name}: {change.get('operation')} {objects}")
            else:
                parts.append(f"{name}: {change[0]} → {change[1]}")
        return Truncator("; ".join(parts)).chars(300)

    @admin.display(description=_("changes"))
    def changes_table(self, entry) -> str:
        return render_logentry_changes_html(entry)
