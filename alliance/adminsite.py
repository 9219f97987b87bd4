"""The admin site: staff log in through the portal's limited login, and filter only by filters.

Django's changelist accepts any lookup on a model's own fields in the query string
(`?body_text__startswith=…`), so a count of "1 email" or "0 emails" leaks what a list
never shows. Every admin registered here, the project's and the libraries', may filter
only by its own `list_filter` and `date_hierarchy` (and search its `search_fields`
through `q`); any other lookup is refused with 400. Each audited object's History page
lists its audit entries (`alliance.audit.history`).

An admin with `count_free = True` (the applications, the outbox: lists of a million
rows) never counts: its changelist fetches one row more than a page to know whether a
next page exists, and shows "previous / next" with the page number
(templates/admin/pagination.html). The other lists are small and keep Django's counts.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy

from alliance.audit.history import AuditHistoryAdmin


class FilterOnlyChangeList(ChangeList):
    """A changelist that refuses every query-string lookup its filters do not consume."""

    def get_filters(self, request):
        given = set(self.get_filters_params())
        specs, has_filters, remaining, may_have_duplicates, has_active = super().get_filters(
            request
        )
        # The filters and the date hierarchy pop what they understand; what is left and
        # came from the query string is a lookup of the requester's own making.
        unknown = sorted(given & set(remaining))
        if unknown:
            raise DisallowedModelAdminLookup(f"Filtering by {', '.join(unknown)} is not allowed")
        return specs, has_filters, remaining, may_have_duplicates, has_active


class CountFreeChangeList(FilterOnlyChangeList):
    """A changelist that never counts: one row more than a page tells if a next exists.

    `result_count` is the number of rows on this page, so the selection of Django's
    actions ("select all", "0 of 100 selected") stays within the page; `count_known`
    says whether that is also every row the list holds (page 1 and no next page).
    """

    count_free = True
    # Deeper than this is past any real list; an OFFSET beyond it is a typed-in number.
    max_page = 1_000_000

    def get_results(self, request) -> None:
        per_page = self.list_per_page
        self.page_num = min(max(self.page_num, 1), self.max_page)
        start = (self.page_num - 1) * per_page
        rows = list(self.queryset[start : start + per_page + 1])
        self.has_next = len(rows) > per_page
        self.has_previous = self.page_num > 1
        self.result_list = rows[:per_page]
        self.result_count = len(self.result_list)
        self.count_known = not self.has_previous and not self.has_next
        self.full_result_count = None
        self.show_full_result_count = False
        self.show_admin_actions = True
        self.can_show_all = False
        self.show_all = False
        # Django's pagination tag pages through a counting paginator when multi_page is
        # set; the template reads has_other_pages instead.
        self.has_other_pages = self.has_previous or self.has_next
        self.multi_page = False
        self.paginator = None

    def page_url(self, page: int) -> str:
        return self.get_query_string({PAGE_VAR: page})

    @property
    def next_url(self) -> str:
        return self.page_url(self.page_num + 1)

    @property
    def previous_url(self) -> str:
        return self.page_url(self.page_num - 1)

    @property
    def first_url(self) -> str:
        return self.get_query_string(remove=[PAGE_VAR])


class _ForgivingAutocomplete:
    """An autocomplete widget that shows a value it cannot look up as nothing chosen.

    Django's widget looks the submitted (or `?field=`) value up to show its label, and
    raises on one that is not even an id ("abc"), turning a form error into a 500. It also
    looks it up once per widget: an inline of ten rows makes ten queries. A formset that
    has the related objects at hand puts them in `known` (value -> object), and the widget
    shows them without a query (`know_related`).
    """

    known: dict[str, object] | None = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if self.known and selected and selected <= set(self.known):
            return self._known_optgroups(name, selected)
        try:
            return super().optgroups(name, value, attr)
        except (ValueError, TypeError, ValidationError):
            return super().optgroups(name, [], attr)

    def _known_optgroups(self, name, selected: set[str]):
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for value in sorted(selected):
            label = self.choices.field.label_from_instance(self.known[value])
            options.append(self.create_option(name, value, label, selected, len(options)))
        return [(None, options, 0)]


def know_related(form, field_name: str, related) -> None:
    """Let the autocomplete widget of `form`'s `field_name` show `related` without a query."""
    if related is None or field_name not in form.fields:
        return
    widget = form.fields[field_name].widget
    widget = getattr(widget, "widget", widget)  # inside the admin's RelatedFieldWidgetWrapper
    if isinstance(widget, _ForgivingAutocomplete):
        widget.known = {str(related.pk): related}


class ForgivingAutocompleteSelect(_ForgivingAutocomplete, AutocompleteSelect):
    pass


class ForgivingAutocompleteSelectMultiple(_ForgivingAutocomplete, AutocompleteSelectMultiple):
    pass


class ForgivingAutocompleteAdmin:
    """Autocomplete widgets that survive values that are not ids and can show `known`
    objects without a query; for the inlines, which the site does not register."""

    def _forgiving_widget(self, db_field, request, kwargs: dict, widget_class) -> None:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = widget_class(db_field, self.admin_site, using=kwargs.get("using"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._forgiving_widget(db_field, request, kwargs, ForgivingAutocompleteSelect)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._forgiving_widget(db_field, request, kwargs, ForgivingAutocompleteSelectMultiple)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class FilterOnlyAdmin(ForgivingAutocompleteAdmin, AuditHistoryAdmin):
    """Mixed into every registered ModelAdmin: lookups only through its own filters,
    autocomplete widgets that survive values that are not ids, and the audit history."""

    def get_changelist(self, request, **kwargs):
        if getattr(self, "count_free", False):
            return CountFreeChangeList
        return FilterOnlyChangeList

    def response_action(self, request, queryset, **kwargs):
        """Refuse (400) an action on selected ids that are no ids of this model ("abc",
        a number past the column's range): Django would look them up and fail with a 500."""
        pk = self.model._meta.pk
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                pk.clean(value, None)
            except ValidationError as error:
                raise BadRequest("Selected objects are not ids of this model.") from error
        return super().response_action(request, queryset, **kwargs)


# Models third-party apps register that staff never browse: allauth.mfa's authenticators
# hold the second factors' secrets (a superuser resets a user's second factor from the
# user instead).
NOT_IN_ADMIN = {"mfa.authenticator"}


class AllianceAdminSite(admin.AdminSite):
    """Django's admin site with the two rules above."""

    site_header = gettext_lazy("Start Alliance administration")
    site_title = gettext_lazy("Start Alliance admin")
    index_title = gettext_lazy("Berlin Partner staff")

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        models = [model for model in models if model._meta.label_lower not in NOT_IN_ADMIN]
        if not models:
            return
        model_or_iterable = models
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, FilterOnlyAdmin):
            admin_class = type(admin_class.__name__, (FilterOnlyAdmin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def login(self, request, extra_context=None):
        """Send staff to the portal's login: its failed-login limits cover the admin too."""
        return secure_admin_login(super().login)(request, extra_context)

    def password_change(self, request, extra_context=None):
        """Send staff to the portal's password change, which limits guesses of the old one."""
        return redirect("account_change_password")

    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            )
            if getattr(url, "name", None) == "view_on_site"
            else url
            for url in urls
        ]

    def view_on_site(self, request, content_type_id: int, object_id: str):
        """Django's "view on site" redirect, for staff who may view that kind of object."""
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_permission(request):
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)
