from django.contrib import admin

from startups.models import Membership, Startup


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Startup)
class StartupAdmin(admin.ModelAdmin):
    list_display = ("name", "home_city_name", "country", "sector", "stage", "product_launched")
    list_filter = ("sector", "stage", "product_launched", "city")
    list_select_related = ("city",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("city",)
    inlines = [MembershipInline]
