"""The portal's user: logs in with an email address, reads in their language and time zone."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.accounts.validators import language_choices, validate_time_zone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> "User":
        """Find a user by email, whatever its case."""
        return self.get(email__iexact=username)

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address: a founder or Berlin Partner staff."""

    # unique=True satisfies auth's check; the Lower() constraint below is the real rule.
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=language_choices,
        default="en",
        help_text=_("The language of the emails the portal sends you."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Berlin",
        validators=[validate_time_zone],
        help_text=_("Dates and deadlines are shown in this time zone."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can log in to the admin site."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Unselect this instead of deleting accounts."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    receives_reminders = models.BooleanField(
        _("receives reminders"),
        default=True,
        help_text=_("Reminders of deadlines. Receipts and decisions are always sent."),
    )
    email_verified_at = models.DateTimeField(
        _("email verified"),
        null=True,
        blank=True,
        help_text=_("When the user followed the verification link; needed to submit."),
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version"),
        max_length=20,
        blank=True,
        help_text=_("The version of the privacy notice shown when the user signed up."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                violation_error_message=_("A user with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    # A user read from the sessions' cache (alliance/accounts/sessions.py) carries what
    # Django asks of the password hash, which stays deferred: the session's hash, and
    # whether there is a usable password (the admin's "change password" link).
    def _without_password(self, name: str):
        cached = getattr(self, f"cached_{name}", None)
        return cached if "password" in self.get_deferred_fields() else None

    def get_session_auth_hash(self) -> str:
        cached = self._without_password("session_auth_hash")
        return super().get_session_auth_hash() if cached is None else cached

    def has_usable_password(self) -> bool:
        cached = self._without_password("usable_password")
        return super().has_usable_password() if cached is None else cached

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class UserSession(models.Model):
    """A session a user logged in with: lets a password change or a second-factor reset
    end the user's other sessions without decoding every session in the store."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("user")
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("logged in at"), default=timezone.now)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")
        # Kept by the login and logout signals, never edited: no permissions to grant.
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.user_id}: {self.created_at:%Y-%m-%d %H:%M}"
