from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from alliance.models import EmailMessage, User


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


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent, what failed and why."""

    list_display = (
        "template_key",
        "recipient",
        "language",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "template_key", "language")
    search_fields = ("recipient", "message_id")
    date_hierarchy = "created_at"
    fields = (
        "recipient",
        "language",
        "template_key",
        "subject",
        "body",
        "message_id",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("text"))
    def body(self, message: EmailMessage) -> str:
        if message.confidential:
            return _("(confidential: account emails carry login links and are not shown)")
        return message.body_text

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
