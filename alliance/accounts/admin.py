from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.accounts import staff_security
from alliance.accounts.models import User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name", "language", "time_zone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "name", "language", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "language")
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    actions = ["reset_second_factor"]

    def has_reset_second_factor_permission(self, request) -> bool:
        return request.user.is_superuser

    @admin.action(description=_("Reset second factor"), permissions=["reset_second_factor"])
    def reset_second_factor(self, request, queryset):
        """Remove the selected users' authenticators and end their sessions, after a
        confirmation page: for a staff member who lost their device."""
        users = list(
            queryset.annotate(
                authenticators=Count(
                    "authenticator",
                    filter=~Q(authenticator__type=Authenticator.Type.RECOVERY_CODES),
                )
            )
        )
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Reset second factor"),
                "users": users,
                "opts": self.opts,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action": "reset_second_factor",
            }
            return TemplateResponse(request, "mfa/admin/reset_confirmation.html", context)
        for user in users:
            staff_security.reset_second_factor(
                user, by=request.user, keep_session=request.session.session_key
            )
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d user was reset; their sessions ended.",
                "The second factors of %(count)d users were reset; their sessions ended.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )
        return None
