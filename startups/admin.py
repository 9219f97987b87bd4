from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from alliance.adminsite import ForgivingAutocompleteAdmin, know_related
from startups.models import Membership, Startup


class MembershipFormSet(BaseInlineFormSet):
    """Each row's user autocomplete shows the member loaded with the rows, not one query each."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is not None and form.instance.user_id is not None:
            know_related(form, "user", form.instance.user)
        return form


class MembershipInline(ForgivingAutocompleteAdmin, admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        # The row's title (str(membership)) names the user and the start-up.
        return super().get_queryset(request).select_related("user", "startup")


@admin.register(Startup)
class StartupAdmin(admin.ModelAdmin):
    list_display = ("name", "home_city_name", "country", "sector", "stage", "product_launched")
    list_filter = ("sector", "stage", "product_launched", "city")
    list_select_related = ("city",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("city",)
    inlines = [MembershipInline]
