"""Start-ups and their teams."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.models import UNKNOWN_COUNTRY, City, country_choices, validate_country

PITCH_MAX_LENGTH = 500


class Sector(models.TextChoices):
    AI_DATA = "ai_data", _("AI and data")
    CLEANTECH = "cleantech", _("cleantech and energy")
    CYBERSECURITY = "cybersecurity", _("cybersecurity")
    ECOMMERCE = "ecommerce", _("e-commerce and retail")
    EDTECH = "edtech", _("education")
    FINTECH = "fintech", _("fintech")
    FOODTECH = "foodtech", _("food and agriculture")
    HEALTHTECH = "healthtech", _("health")
    INDUSTRY = "industry", _("industry and IoT")
    MEDIA = "media", _("media and creative")
    MOBILITY = "mobility", _("mobility and logistics")
    PROPTECH = "proptech", _("real estate and smart city")
    SOFTWARE = "software", _("enterprise software")
    TOURISM = "tourism", _("tourism and events")
    OTHER = "other", _("other")


class Stage(models.TextChoices):
    IDEA = "idea", _("idea")
    PRE_SEED = "pre_seed", _("pre-seed")
    SEED = "seed", _("seed")
    SERIES_A = "series_a", _("series A")
    LATER = "later", _("later")


class Role(models.TextChoices):
    OWNER = "owner", _("owner")
    MEMBER = "member", _("member")


class StartupQuerySet(models.QuerySet):
    def of_user(self, user) -> "StartupQuerySet":
        """The start-ups `user` is a team member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


FOUNDED_IN_FUTURE = _("A start-up cannot have been founded in the future.")
# The zone whose day begins first (UTC+14, Kiribati): its date is the latest on Earth.
EARLIEST_ZONE = zoneinfo.ZoneInfo("Etc/GMT-14")


def earliest_today() -> datetime.date:
    """The date where it is latest: no one anywhere is in a later day."""
    return timezone.now().astimezone(EARLIEST_ZONE).date()


class Startup(models.Model):
    """A start-up's profile, kept by its team."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="startups",
        verbose_name=_("home city"),
        help_text=_("Leave empty if the start-up is based outside the network."),
    )
    other_city = models.CharField(_("other home city"), max_length=100, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,  # taken from the city when it is one of the network's
        choices=country_choices,
        validators=[validate_country],
        error_messages={"invalid_choice": UNKNOWN_COUNTRY},
    )
    founded_year = models.PositiveSmallIntegerField(
        _("founded (year)"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    founded_month = models.PositiveSmallIntegerField(
        _("founded (month)"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    website = models.URLField(_("website"), blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage)
    product_launched = models.BooleanField(_("product launched"), default=False)
    team_size = models.PositiveSmallIntegerField(_("team size"), validators=[MinValueValidator(1)])
    pitch = models.TextField(
        _("pitch"), max_length=PITCH_MAX_LENGTH, validators=[MaxLengthValidator(PITCH_MAX_LENGTH)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StartupQuerySet.as_manager()

    class Meta:
        verbose_name = _("start-up")
        verbose_name_plural = _("start-ups")
        ordering = ["name"]
        # The admin's search by name, `UPPER(name) LIKE UPPER('%…%')`, is served on
        # PostgreSQL by the trigram index startup_name_trgm, made by migration 0002 only
        # there (SQLite has no GIN index), so it is not declared here.
        constraints = [
            models.CheckConstraint(
                condition=Q(city__isnull=False) | ~Q(other_city=""),
                name="startup_has_home_city",
                violation_error_message=_("Choose a city of the network or name another."),
            ),
            models.CheckConstraint(
                condition=~Q(country=""),
                name="startup_has_country",
                violation_error_message=_("Choose the country of the home city."),
            ),
            models.CheckConstraint(
                condition=Q(founded_month__gte=1, founded_month__lte=12),
                name="startup_founded_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(team_size__gte=1), name="startup_team_size_positive"
            ),
            models.CheckConstraint(
                condition=Q(sector__in=Sector.values), name="startup_sector_valid"
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="startup_stage_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Forms and the admin validate the constraints after this: the country is set.
        self.take_country_from_city()
        if self.founded_in_future():
            raise ValidationError({"founded_year": FOUNDED_IN_FUTURE})

    def founded_in_future(self) -> bool:
        """Whether the founding month has not begun yet anywhere on Earth (a founder in
        Beijing may give a month that is still to come in Berlin)."""
        if not (isinstance(self.founded_year, int) and isinstance(self.founded_month, int)):
            return False
        today = earliest_today()
        return (self.founded_year, self.founded_month) > (today.year, today.month)

    def take_country_from_city(self) -> None:
        """A city of the network knows its country: the start-up's is the city's."""
        if self.city_id:
            self.country = self.city.country

    @property
    def founded_on(self) -> datetime.date:
        """The first day of the founding month."""
        return datetime.date(self.founded_year, self.founded_month, 1)

    def age_in_years(self, on: datetime.date) -> int:
        """Whole years between the founding month and `on`."""
        years = on.year - self.founded_year
        return years - 1 if on.month < self.founded_month else years

    @property
    def home_city_name(self) -> str:
        return str(self.city) if self.city_id else self.other_city


class Membership(models.Model):
    """A user's place in a start-up's team."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
        db_index=False,  # the unique (user, startup) index starts with it
    )
    startup = models.ForeignKey(
        Startup, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("start-up")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["startup", "-role", "joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "startup"],
                name="membership_unique",
                violation_error_message=_("This person is already in the team."),
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.startup})"


class Invitation(models.Model):
    """An invitation by email to join a start-up's team, accepted by following its link."""

    startup = models.ForeignKey(
        Startup, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("start-up")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.startup}"
