"""Exchange programmes and the extra questions they ask their applicants."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.models import City, PartnerOrganisation
from startups.models import Sector, Stage


class ProgrammeFormat(models.TextChoices):
    RESIDENCY = "residency", _("residency with co-working desk")
    DELEGATION = "delegation", _("delegation trip")
    BOOTCAMP = "bootcamp", _("bootcamp")
    VIRTUAL = "virtual", _("virtual programme")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")


class QuestionKind(models.TextChoices):
    TEXT = "text", _("short text")
    LONG_TEXT = "long_text", _("long text")
    CHOICE = "choice", _("choice")
    YES_NO = "yes_no", _("yes or no")
    DATE = "date", _("date")
    NUMBER = "number", _("number")


class ProgrammeQuerySet(models.QuerySet):
    def published(self) -> "ProgrammeQuerySet":
        return self.filter(status=ProgrammeStatus.PUBLISHED)

    def open_now(self, now=None) -> "ProgrammeQuerySet":
        """Published programmes whose call for applications is open at `now`."""
        now = now or timezone.now()
        return self.published().filter(applications_open_at__lte=now, applications_close_at__gt=now)

    def hosted_by(self, organisation: PartnerOrganisation) -> "ProgrammeQuerySet":
        """Programmes `organisation` hosts or co-organises."""
        return self.filter(
            Q(host_organisation=organisation) | Q(co_organisers=organisation)
        ).distinct()


class ExchangeProgramme(models.Model):
    """An exchange programme a host city offers to start-ups from other cities."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    host_city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("host city")
    )
    host_organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="hosted_programmes",
        verbose_name=_("host organisation"),
    )
    co_organisers = models.ManyToManyField(
        PartnerOrganisation,
        blank=True,
        related_name="co_organised_programmes",
        verbose_name=_("co-organising organisations"),
        help_text=_("For example the partner in the origin city that nominates start-ups."),
    )
    format = models.CharField(_("format"), max_length=20, choices=ProgrammeFormat)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    benefits = models.TextField(
        _("benefits"), blank=True, help_text=_("One benefit per line, e.g. a co-working desk.")
    )
    eligible_origin_cities = models.ManyToManyField(
        City,
        blank=True,
        related_name="+",
        verbose_name=_("eligible origin cities"),
        help_text=_("Leave empty to admit start-ups from anywhere."),
    )
    max_company_age_years = models.PositiveSmallIntegerField(
        _("maximum company age (years)"), null=True, blank=True
    )
    allowed_stages = models.JSONField(
        _("allowed stages"), default=list, blank=True, help_text=_("Empty admits every stage.")
    )
    requires_product_launched = models.BooleanField(_("product must be launched"), default=False)
    requires_pitch_deck = models.BooleanField(
        _("pitch deck required"),
        default=True,
        help_text=_("An application cannot be submitted without a pitch deck (PDF)."),
    )
    sectors = models.JSONField(
        _("sectors"), default=list, blank=True, help_text=_("Empty admits every sector.")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    applications_open_at = models.DateTimeField(_("applications open"))
    applications_close_at = models.DateTimeField(_("applications close"))
    seats = models.PositiveSmallIntegerField(_("seats"), help_text=_("Number of start-ups."))
    confirmation_days = models.PositiveSmallIntegerField(
        _("confirmation window (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    automatic_backfill = models.BooleanField(
        _("automatic backfill"),
        default=True,
        help_text=_("Accept the best-ranked waitlisted start-up when a seat frees up."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProgrammeStatus, default=ProgrammeStatus.DRAFT
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_programmes",
        verbose_name=_("programme managers"),
        help_text=_("Staff who decide on this programme's applications."),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="reviewed_programmes",
        verbose_name=_("reviewers"),
        help_text=_("Staff who review this programme's applications."),
    )
    decisions_announced_at = models.DateTimeField(
        _("decisions first announced"),
        null=True,
        blank=True,
        help_text=_("Reviews can no longer be changed from then on."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("exchange programme")
        verbose_name_plural = _("exchange programmes")
        ordering = ["applications_close_at", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=F("applications_open_at")),
                name="programme_call_closes_after_opening",
                violation_error_message=_("The call must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="programme_ends_after_start",
                violation_error_message=_("The programme must not end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(seats__gt=0),
                name="programme_seats_positive",
                violation_error_message=_("A programme needs at least one seat."),
            ),
            models.CheckConstraint(
                condition=Q(confirmation_days__gt=0), name="programme_confirmation_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgrammeStatus.values), name="programme_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=ProgrammeFormat.values), name="programme_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(title_en__isnull=False) & ~Q(title_en=""),
                name="programme_title_en_required",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exchanges:programme-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors = {}
        if not _is_subset(self.allowed_stages, Stage.values):
            errors["allowed_stages"] = _("Unknown stage.")
        if not _is_subset(self.sectors, Sector.values):
            errors["sectors"] = _("Unknown sector.")
        if self.host_city_id and self.host_organisation_id:
            organisation = self.host_organisation
            if organisation.city_id != self.host_city_id:
                errors["host_organisation"] = _(
                    "%(organisation)s is in %(city)s, not in the host city %(host_city)s: "
                    "choose an organisation of the host city."
                ) % {
                    "organisation": organisation.name,
                    "city": organisation.city,
                    "host_city": self.host_city,
                }
        if errors:
            raise ValidationError(errors)

    def is_open(self, now=None) -> bool:
        """Whether the call for applications is open at `now`."""
        now = now or timezone.now()
        return (
            self.status == ProgrammeStatus.PUBLISHED
            and self.applications_open_at <= now < self.applications_close_at
        )

    def stages_in_order(self) -> list[Stage]:
        """The allowed stages in their order (pre-seed before seed), however stored."""
        return [stage for stage in Stage if stage in self.allowed_stages]

    def sectors_in_order(self) -> list[Sector]:
        """The admitted sectors in the choices' order, however stored."""
        return [sector for sector in Sector if sector in self.sectors]

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]


def _is_subset(values: object, known: list[str]) -> bool:
    """Whether `values` (JSON from a form or the admin) is a list of known codes."""
    return isinstance(values, list) and all(value in known for value in values)


class ProgrammeQuestion(models.Model):
    """An extra question staff ask the applicants of one programme."""

    programme = models.ForeignKey(
        ExchangeProgramme,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("programme"),
    )
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=20, choices=QuestionKind, default=QuestionKind.TEXT
    )
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice question: one option per line.")
    )
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("programme question")
        verbose_name_plural = _("programme questions")
        ordering = ["programme", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text
