"""Staff look after the partners' webhook endpoints: disable and enable them, read their
delivery log, send events again.

Partners register their endpoints through the API; staff never change an endpoint's URL
and never see its signing secret (it is not even loaded here). Enabling, disabling and
redelivering go through the webhook services, which write with `update()`: the audit
log's signals do not see those writes, so `_audited` logs them on the endpoint.
"""

import copy
import datetime
import re
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import override
from urllib.parse import urlencode

from auditlog import get_logentry_model
from auditlog.diff import model_instance_diff
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.forms import is_row_id
from alliance.mail.outbox import STAFF_TIME_ZONE
from cities.models import PartnerOrganisation
from exchanges.partners.admin.shares import ReadOnlyAdmin
from exchanges.partners.webhooks import services as webhooks
from exchanges.partners.webhooks.models import (
    DeliveryStatus,
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

LogEntry = get_logentry_model()
BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
STAFF_ZONE = zoneinfo.ZoneInfo(STAFF_TIME_ZONE)
LOG_LENGTH = 50  # attempts shown on an endpoint's page
COUNT_LIMIT = 1000  # an endpoint's waiting and failed deliveries are counted up to this
SECRET_FIELDS = ("secret", "previous_secret")  # never loaded here
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def endpoint_label(endpoint: WebhookEndpoint) -> str:
    """The organisation and the URL without its query (a receiver may keep a token there)."""
    return f"{endpoint.organisation.name}: {webhooks.display_url(endpoint.url)}"


def enabling_refusal(endpoint: WebhookEndpoint) -> str | None:
    """Why staff may not enable the endpoint again, or None.

    A partner that switched its endpoint off through the API meant it: staff do not send
    its data there again behind its back.
    """
    if not endpoint.enabled and endpoint.disabled_reason == DisabledReason.PARTNER:
        return _("The partner disabled it and enables it again through the API.")
    return None


@contextmanager
def _audited(endpoint_pk: int) -> Iterator[tuple[WebhookEndpoint, dict[str, list[str]]]]:
    """Lock the endpoint and give it to the caller's service calls, then log on it what
    they changed (and the notes the caller added), in the same transaction.

    The webhook services write with `update()`, which the audit log's signals never see;
    the lock keeps a delivery worker's own writes out of the staff member's entry.
    """
    with transaction.atomic():
        before = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_pk)
        notes: dict[str, list[str]] = {}
        yield copy.copy(before), notes  # a copy: services set fields on what they are given
        after = WebhookEndpoint.objects.select_related("organisation").get(pk=endpoint_pk)
        as_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
        changes = model_instance_diff(before, after, use_json_for_changes=as_json) or {}
        changes.update(notes)
        if changes:
            LogEntry.objects.log_create(after, action=LogEntry.Action.UPDATE, changes=changes)


def _staff_time(moment) -> str:
    """A time as the audit log keeps it: Berlin time, named."""
    return f"{timezone.localtime(moment, STAFF_ZONE):%Y-%m-%d %H:%M} ({STAFF_TIME_ZONE})"


def _names(endpoints) -> str:
    return "; ".join(endpoint_label(endpoint) for endpoint in endpoints)


@admin.action(
    description=_("Disable this endpoint"),
    description_plural=_("Disable the selected endpoints"),
    permissions=["change"],
    location=BOTH_PLACES,
)
def disable_endpoints(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    disabled = 0
    with transaction.atomic():
        for pk in queryset.filter(enabled=True).order_by("pk").values_list("pk", flat=True):
            with _audited(pk) as (endpoint, _notes):
                disabled += webhooks.disable(endpoint, reason=DisabledReason.STAFF)
    if not disabled:
        modeladmin.message_user(
            request, _("The selected endpoints were disabled already."), messages.INFO
        )
        return
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d endpoint disabled: nothing is sent to it until it is enabled again.",
            "%(count)d endpoints disabled: nothing is sent to them until they are enabled again.",
            disabled,
        )
        % {"count": disabled},
        messages.SUCCESS,
    )


@admin.action(
    description=_("Enable this endpoint"),
    description_plural=_("Enable the selected endpoints"),
    permissions=["change"],
    location=BOTH_PLACES,
)
def enable_endpoints(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    enabled, refused = 0, []
    with transaction.atomic():
        for pk in queryset.filter(enabled=False).order_by("pk").values_list("pk", flat=True):
            with _audited(pk) as (endpoint, _notes):
                if enabling_refusal(endpoint):
                    refused.append(endpoint.pk)
                    continue
                webhooks.enable(endpoint)
                enabled += 1
    if refused:
        endpoints = WebhookEndpoint.objects.filter(pk__in=refused).select_related("organisation")
        modeladmin.message_user(
            request,
            _(
                "Not enabled, because the partner disabled it (the partner enables it again "
                "through the API): %(endpoints)s"
            )
            % {"endpoints": _names(endpoints.only("pk", "url", "organisation__name"))},
            messages.ERROR,
        )
    if enabled:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d endpoint enabled: what waited for it is sent first, in order.",
                "%(count)d endpoints enabled: what waited for them is sent first, in order.",
                enabled,
            )
            % {"count": enabled},
            messages.SUCCESS,
        )
    elif not refused:
        modeladmin.message_user(
            request, _("The selected endpoints were enabled already."), messages.INFO
        )


class RedeliverSinceForm(forms.Form):
    since = forms.DateTimeField(
        label=_("failed events queued since"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "Berlin time, for example 2026-03-05 14:30. Every event to the endpoint that failed "
            "and was queued at or after this time is sent again, with the same webhook-id."
        ),
    )

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.now():
            raise ValidationError(_("Choose a time that has passed."))
        if since < EARLIEST:
            raise ValidationError(_("Choose a time from the year 2000 on."))
        return since


def _report_redelivery(modeladmin, request, count: int, waiting: list[int]) -> None:
    if count:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d delivery is queued again, with its webhook-id.",
                "%(count)d deliveries are queued again, each with its webhook-id.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
    if waiting:
        endpoints = WebhookEndpoint.objects.filter(pk__in=waiting).select_related("organisation")
        modeladmin.message_user(
            request,
            _(
                "These endpoints are disabled, so their deliveries wait until they are "
                "enabled again: %(endpoints)s"
            )
            % {"endpoints": _names(endpoints.only("pk", "url", "organisation__name"))},
            messages.WARNING,
        )


@admin.action(
    description=_("Redeliver its failed events since …"),
    description_plural=_("Redeliver failed events since …"),
    permissions=["redeliver"],
    location=BOTH_PLACES,
)
def redeliver_failed_since(modeladmin, request: HttpRequest, queryset: QuerySet):
    """Ask for the time, then queue every failed delivery of each endpoint since then."""
    endpoints = list(queryset.order_by("organisation__name", "pk"))
    from_change_form = f"{ActionLocation.CHANGE_FORM.value}-action" in request.POST
    a_day_ago = timezone.localtime(timezone.now() - datetime.timedelta(days=1), STAFF_ZONE)
    with timezone.override(STAFF_ZONE):  # the time typed in is Berlin time
        form = RedeliverSinceForm(
            request.POST if request.POST.get("post") else None,
            initial={"since": f"{a_day_ago:%Y-%m-%dT%H:%M}"},
        )
        valid = form.is_valid()
    if valid:
        since = form.cleaned_data["since"]
        count, waiting = 0, []
        with transaction.atomic():
            for endpoint in endpoints:
                with _audited(endpoint.pk) as (locked, notes):
                    queued = webhooks.redeliver_failed(locked, since)
                    if queued:
                        notes["redelivered"] = [
                            "",
                            f"{queued} failed events queued since {_staff_time(since)}",
                        ]
                        if not locked.enabled:
                            waiting.append(locked.pk)
                count += queued
        if not count:
            modeladmin.message_user(
                request,
                _("No event failed since %(since)s: nothing was queued again.")
                % {"since": _staff_time(since)},
                messages.INFO,
            )
        _report_redelivery(modeladmin, request, count, waiting)
        if request.POST.get("return_to_change") and len(endpoints) == 1:
            return HttpResponseRedirect(
                reverse("admin:partners_webhookendpoint_change", args=[endpoints[0].pk])
            )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": ngettext(
            "Redeliver failed events: %(count)d endpoint",
            "Redeliver failed events: %(count)d endpoints",
            len(endpoints),
        )
        % {"count": len(endpoints)},
        "subtitle": None,
        "opts": modeladmin.model._meta,
        "endpoints": [(endpoint, endpoint_label(endpoint)) for endpoint in endpoints],
        "form": form,
        "action_name": "redeliver_failed_since",
        "action_label": _("redeliver failed events"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "return_to_change": from_change_form or request.POST.get("return_to_change"),
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/partners/webhookendpoint/redeliver_form.html", context)


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["description", "enabled"]

    def clean_enabled(self) -> bool:
        enabled = self.cleaned_data["enabled"]
        refusal = enabling_refusal(self.instance)  # the stored row: not yet the form's values
        if enabled and refusal:
            raise ValidationError(refusal)
        return enabled


class OrganisationWithEndpointFilter(admin.RelatedFieldListFilter):
    """The organisations that have an endpoint, only their names read."""

    def field_choices(self, field, request, model_admin) -> list[tuple[int, str]]:
        organisations = (
            PartnerOrganisation.objects.filter(
                pk__in=WebhookEndpoint.objects.values("organisation_id")
            )
            .only("pk", "name")
            .order_by("name")
        )
        return [(organisation.pk, organisation.name) for organisation in organisations]


def _bounded_count(queryset: QuerySet) -> str:
    """How many rows, counted up to COUNT_LIMIT (past it: "1000+").

    Unordered: an ORDER BY in the limited subquery would read every row to sort them first.
    """
    count = queryset.order_by()[: COUNT_LIMIT + 1].count()
    return f"{COUNT_LIMIT}+" if count > COUNT_LIMIT else str(count)


def endpoint_log(endpoint: WebhookEndpoint) -> dict:
    """The endpoint's latest attempts and its waiting and failed deliveries: three queries."""
    attempts = list(
        WebhookAttempt.objects.filter(endpoint=endpoint)
        .select_related("delivery__event")
        .only(
            "at",
            "number",
            "status_code",
            "duration_ms",
            "response",
            "error",
            "delivery",
            "delivery__event",
            "delivery__event__public_id",
            "delivery__event__type",
        )
        .order_by("-at", "-pk")[:LOG_LENGTH]
    )
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    listing = reverse("admin:partners_webhookdelivery_changelist")

    def of(**query) -> str:
        return f"{listing}?{urlencode({'endpoint': endpoint.pk, **query})}"

    return {
        "attempts": [(attempt, of(q=attempt.delivery.event.public_id)) for attempt in attempts],
        "length": LOG_LENGTH,
        "pending": _bounded_count(deliveries.filter(status=DeliveryStatus.PENDING)),
        "failed": _bounded_count(deliveries.filter(status=DeliveryStatus.FAILED)),
        "pending_url": of(status__exact=DeliveryStatus.PENDING),
        "failed_url": of(status__exact=DeliveryStatus.FAILED),
        "all_url": of(),
        "time_zone": STAFF_TIME_ZONE,
    }


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Partners' endpoints: staff disable, enable and redeliver; the rest is the partner's."""

    form = WebhookEndpointForm
    change_form_template = "admin/partners/webhookendpoint/change_form.html"
    list_display = (
        "organisation",
        "shown_url",
        "event_list",
        "enabled",
        "disabled_reason",
        "failing_since",
        "last_delivery",
    )
    list_display_links = ("shown_url",)
    list_filter = ("enabled", "disabled_reason", ("organisation", OrganisationWithEndpointFilter))
    list_select_related = ("organisation",)
    search_fields = ("organisation__name",)  # and the URL: get_search_results
    search_help_text = _(
        "Finds endpoints by part of their organisation's name or of their URL (not its query)."
    )
    fields = (
        "organisation",
        "shown_url",
        "description",
        "event_list",
        "enabled",
        "disabled_reason",
        "disabled_at",
        "failing_since",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "organisation",
        "shown_url",
        "event_list",
        "disabled_reason",
        "disabled_at",
        "failing_since",
        "created_at",
        "updated_at",
    )
    actions = [disable_endpoints, enable_endpoints, redeliver_failed_since]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        last = WebhookAttempt.objects.filter(endpoint=OuterRef("pk")).order_by("-at", "-pk")
        return (
            super()
            .get_queryset(request)
            .select_related("organisation")
            .defer(*SECRET_FIELDS)
            .annotate(
                last_attempt_at=Subquery(last.values("at")[:1]),
                last_attempt_status=Subquery(last.values("status_code")[:1]),
                last_attempt_error=Subquery(last.values("error")[:1]),
            )
        )

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """By organisation name, or by the part of the URL staff see (before its query):
        a search that matched within the query would tell a hidden token match by match."""
        term = search_term.strip()
        if not term:
            return queryset, False
        shown_part = r"^[^?#]*" + re.escape(term)
        matches = Q(organisation__name__icontains=term) | Q(url__iregex=shown_part)
        return queryset.filter(matches), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # partners register their endpoints through the API

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Disable instead: deleting takes the delivery log with it, and its confirmation
        # page would list every delivery and attempt. Partners delete theirs in the API.
        return False

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("partners.change_webhookdelivery")

    @override  # Django's signature
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["webhook_log"] = endpoint_log(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change) -> None:
        """Save the description; `enabled` goes through the services, as the actions do."""
        if "description" in form.changed_data:
            obj.save(update_fields=["description", "updated_at"])
        if "enabled" in form.changed_data:
            with _audited(obj.pk) as (endpoint, _notes):
                if obj.enabled:
                    webhooks.enable(endpoint)
                else:
                    webhooks.disable(endpoint, reason=DisabledReason.STAFF)

    @admin.display(description=_("URL"))
    def shown_url(self, endpoint: WebhookEndpoint) -> str:
        return webhooks.display_url(endpoint.url)

    @admin.display(description=_("events"))
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events or [])

    @admin.display(description=_("last delivery"), ordering="last_attempt_at")
    def last_delivery(self, endpoint: WebhookEndpoint) -> str | None:
        at = getattr(endpoint, "last_attempt_at", None)
        if at is None:
            return None
        outcome = endpoint.last_attempt_error or f"HTTP {endpoint.last_attempt_status}"
        return f"{outcome}, {timezone.localtime(at, STAFF_ZONE):%Y-%m-%d %H:%M}"


@admin.action(
    description=_("Deliver again"),
    description_plural=_("Deliver the selected again"),
    permissions=["redeliver"],
    location=BOTH_PLACES,
)
def deliver_again(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    """Queue the selected deliveries again, each with its webhook-id; queued ones stay."""
    by_endpoint: dict[int, list[tuple[int, str]]] = {}
    still_queued = 0
    for pk, endpoint_id, event_id, status in queryset.order_by("pk").values_list(
        "pk", "endpoint_id", "event__public_id", "status"
    ):
        if status == DeliveryStatus.PENDING:
            still_queued += 1
        else:
            by_endpoint.setdefault(endpoint_id, []).append((pk, event_id))
    count, waiting = 0, []
    with transaction.atomic():
        for endpoint_id, chosen in sorted(by_endpoint.items()):
            with _audited(endpoint_id) as (endpoint, notes):
                queued = webhooks.redeliver(
                    WebhookDelivery.objects.filter(pk__in=[pk for pk, _id in chosen])
                )
                if queued:
                    notes["redelivered"] = ["", "events " + ", ".join(e for _pk, e in chosen)]
                    if not endpoint.enabled:
                        waiting.append(endpoint.pk)
            count += queued
    if still_queued:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d delivery is still queued and was left as it is.",
                "%(count)d deliveries are still queued and were left as they are.",
                still_queued,
            )
            % {"count": still_queued},
            messages.INFO,
        )
    _report_redelivery(modeladmin, request, count, waiting)


class EndpointFilter(admin.SimpleListFilter):
    """The deliveries of one endpoint, named by its organisation and shown URL."""

    title = _("endpoint")
    parameter_name = "endpoint"

    def lookups(self, request, model_admin):
        endpoints = (
            WebhookEndpoint.objects.select_related("organisation")
            .only("pk", "url", "organisation__name")
            .order_by("organisation__name", "pk")
        )
        return [(str(endpoint.pk), endpoint_label(endpoint)) for endpoint in endpoints]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if is_row_id(value):
            return queryset.filter(endpoint_id=int(value))
        return queryset.none()


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Events on their way to endpoints: read, and sent again on request."""

    list_display = (
        "event_id",
        "event_type",
        "endpoint_shown",
        "status",
        "attempts",
        "last_status",
        "last_error",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    )
    list_display_links = ("event_id",)
    list_filter = ("status", EndpointFilter)
    list_select_related = ("event", "endpoint__organisation")
    search_fields = ("event__public_id",)  # exactly: get_search_results
    search_help_text = _("Finds the deliveries of one event by its id (msg_…, its webhook-id).")
    # A table of millions: never counted, and only in its own order (newest first), which
    # the primary key serves; sorting by another column would sort them all.
    count_free = True
    show_full_result_count = False
    sortable_by = ()
    list_per_page = 100
    fields = (
        "event_id",
        "event_type",
        "endpoint_shown",
        "status",
        "attempts",
        "next_attempt_at",
        "give_up_at",
        "last_status",
        "last_error",
        "delivered_at",
        "created_at",
    )
    readonly_fields = fields
    actions = [deliver_again]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Not the body (the event as sent, kilobytes each) nor the endpoint's secrets.
        return (
            super()
            .get_queryset(request)
            .select_related("event", "endpoint__organisation")
            .defer("event__body", *(f"endpoint__{name}" for name in SECRET_FIELDS))
        )

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """The event's id, exactly (its unique index answers; `iexact` would read them all)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(event__public_id=term), False

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("partners.change_webhookdelivery")

    @admin.display(description=_("event id"))
    def event_id(self, delivery: WebhookDelivery) -> str:
        return delivery.event.public_id

    @admin.display(description=_("type"))
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.type

    @admin.display(description=_("endpoint"))
    def endpoint_shown(self, delivery: WebhookDelivery) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:partners_webhookendpoint_change", args=[delivery.endpoint_id]),
            endpoint_label(delivery.endpoint),
        )
