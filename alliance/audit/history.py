"""Each audited object's History page in the admin shows its audit entries."""

from collections.abc import Callable

from auditlog import get_logentry_model
from auditlog.registry import auditlog
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

PER_PAGE = 50

DeletedHistoryCheck = Callable[[object], bool]
_deleted_rules: dict[str, DeletedHistoryCheck] = {}


def register_deleted_history(label: str, may_read: DeletedHistoryCheck) -> None:
    """Let `may_read(user)` decide who reads the History of a deleted object of the model
    `label` ("app_label.model_name"), besides the permission to view that kind of object.

    For models whose rows are scoped per user (an application belongs to one programme):
    once the row is gone, no queryset says whose it was.
    """
    _deleted_rules[label.lower()] = may_read


def may_read_deleted_history(model, user) -> bool:
    """Whether `user` may read the History of a deleted object of `model` (as registered)."""
    check = _deleted_rules.get(model._meta.label_lower)
    return check is None or check(user)


def person_of(entry) -> str:
    """Who wrote an entry: the user, the address of a deleted user, a partner's API key
    (exchanges.partners.recommendations.as_key), or "system"."""
    if entry.actor_id:
        return str(entry.actor)
    if entry.actor_email:
        return _("%(email)s (deleted)") % {"email": entry.actor_email}
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    if data.get("partner_key_name"):
        return _("partner API key “%(name)s”") % {"name": data["partner_key_name"]}
    return _("system")


class AuditHistoryAdmin:
    """Mixed into every ModelAdmin: History lists the object's audit entries, newest first.

    It also answers for a deleted object, from its entries, to staff who may view that
    kind of object and, where the model's app registered a check
    (`register_deleted_history`), pass it; to anyone else it does not exist. A model the
    audit does not follow keeps Django's History page.
    """

    def history_view(self, request, object_id, extra_context=None):
        if not auditlog.contains(self.model):
            return super().history_view(request, object_id, extra_context)
        object_id = unquote(object_id)
        obj = self.get_object(request, object_id)
        entries = (
            get_logentry_model()
            .objects.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                object_pk=str(obj.pk if obj is not None else object_id),
            )
            .select_related("actor", "content_type")
            .order_by("-timestamp", "-pk")
        )
        if obj is None and not entries.exists():
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if obj is None and self.model._default_manager.filter(pk=object_id).exists():
            # Not deleted but outside this user's queryset (another programme's application):
            # answered as the change page answers, its history is not theirs to read.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if obj is None and not may_read_deleted_history(self.model, request.user):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)

        paginator = self.get_paginator(request, entries, PER_PAGE)
        page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
        for entry in page:
            entry.person = person_of(entry)
        shown = str(obj) if obj is not None else entries[0].object_repr
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % shown,
            "subtitle": None,
            "object": obj,
            "object_repr": shown,
            "entries": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "page_var": PAGE_VAR,
            "pagination_required": paginator.count > PER_PAGE,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "audit/object_history.html", context)
