"""Exchange programmes, applications to them and the applications' state machine."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.private_files import private_storage
from alliance.uploads import pitch_deck_name, validate_pdf
from cities.models import City, PartnerOrganisation
from startups.models import Sector, Stage, Startup


class GeneratedNameFileField(models.FileField):
    """A file stored under a generated name: the uploader's own name may be of any length."""

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.max_length = None  # `max_length` bounds the stored (generated) name only
        return field


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


class Need(models.TextChoices):
    MEETINGS = "meetings", _("meetings with companies")
    OFFICE = "office", _("office space")
    INVESTORS = "investors", _("investors")
    MENTORS = "mentors", _("mentors")
    VISA = "visa", _("visa support")
    ACCOMMODATION = "accommodation", _("accommodation")


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    IN_REVIEW = "in_review", _("in review")
    SHORTLISTED = "shortlisted", _("shortlisted")
    WAITLISTED = "waitlisted", _("waitlisted")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    CONFIRMED = "confirmed", _("confirmed")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Verb(models.TextChoices):
    SUBMIT = "submit", _("submit")
    START_REVIEW = "start_review", _("start review")
    SHORTLIST = "shortlist", _("shortlist")
    WAITLIST = "waitlist", _("waitlist")
    ACCEPT = "accept", _("accept")
    REJECT = "reject", _("reject")
    CONFIRM = "confirm", _("confirm")
    EXPIRE = "expire", _("expire")
    WITHDRAW = "withdraw", _("withdraw")


class Actor(models.TextChoices):
    OWNER = "owner", _("an owner of the start-up")
    STAFF = "staff", _("staff")
    SYSTEM = "system", _("the portal")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    target: State
    actors: frozenset[Actor]


def _transition(sources: set[State], target: State, actors: set[Actor]) -> Transition:
    return Transition(frozenset(sources), target, frozenset(actors))


DECIDABLE = {State.SUBMITTED, State.IN_REVIEW, State.SHORTLISTED, State.WAITLISTED}

TRANSITIONS: dict[Verb, Transition] = {
    Verb.SUBMIT: _transition({State.DRAFT}, State.SUBMITTED, {Actor.OWNER}),
    Verb.START_REVIEW: _transition({State.SUBMITTED}, State.IN_REVIEW, {Actor.STAFF}),
    Verb.SHORTLIST: _transition(
        {State.SUBMITTED, State.IN_REVIEW}, State.SHORTLISTED, {Actor.STAFF}
    ),
    Verb.WAITLIST: _transition(
        {State.SUBMITTED, State.IN_REVIEW, State.SHORTLISTED}, State.WAITLISTED, {Actor.STAFF}
    ),
    Verb.ACCEPT: _transition(DECIDABLE, State.ACCEPTED, {Actor.STAFF, Actor.SYSTEM}),
    Verb.REJECT: _transition(DECIDABLE, State.REJECTED, {Actor.STAFF}),
    Verb.CONFIRM: _transition({State.ACCEPTED}, State.CONFIRMED, {Actor.OWNER}),
    Verb.EXPIRE: _transition({State.ACCEPTED}, State.EXPIRED, {Actor.SYSTEM}),
    Verb.WITHDRAW: _transition(
        DECIDABLE | {State.ACCEPTED, State.CONFIRMED}, State.WITHDRAWN, {Actor.OWNER}
    ),
}

# States that hold one of the programme's seats.
# Tuples, not sets: their order reaches migrations (choices, constraints) and must be stable.
SEAT_STATES = (State.ACCEPTED, State.CONFIRMED)
# Decisions staff may stage before announcing them.
STAGEABLE = (Verb.SHORTLIST, Verb.WAITLIST, Verb.ACCEPT, Verb.REJECT)


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
        if errors:
            raise ValidationError(errors)

    def is_open(self, now=None) -> bool:
        """Whether the call for applications is open at `now`."""
        now = now or timezone.now()
        return (
            self.status == ProgrammeStatus.PUBLISHED
            and self.applications_open_at <= now < self.applications_close_at
        )

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


class ApplicationQuerySet(models.QuerySet):
    def holding_seats(self) -> "ApplicationQuerySet":
        return self.filter(state__in=SEAT_STATES)


class Application(models.Model):
    """A start-up's application to an exchange programme."""

    programme = models.ForeignKey(
        ExchangeProgramme,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("programme"),
    )
    startup = models.ForeignKey(
        Startup, on_delete=models.CASCADE, related_name="applications", verbose_name=_("start-up")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.DRAFT)
    pending_decision = models.CharField(
        _("pending decision"),
        max_length=20,
        choices=[(verb.value, verb.label) for verb in STAGEABLE],
        blank=True,
        help_text=_("Staged by staff; the applicant sees nothing until it is announced."),
    )
    rank = models.PositiveIntegerField(
        _("waitlist rank"), null=True, blank=True, help_text=_("1 is the first to move up.")
    )
    motivation = models.TextField(_("motivation"), blank=True, max_length=3000)
    goals = models.TextField(_("goals in the market"), blank=True, max_length=3000)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    pitch_deck = GeneratedNameFileField(
        _("pitch deck (PDF)"),
        upload_to=pitch_deck_name,
        storage=private_storage,
        blank=True,
        validators=[validate_pdf],
        help_text=_("A PDF of at most 10 MB."),
    )
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_text = models.TextField(_("consent wording"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    confirm_by = models.DateTimeField(_("confirm by"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="application_sync"),
            models.Index(fields=["programme", "state"], name="application_programme_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "startup"],
                name="application_one_per_startup_and_programme",
                violation_error_message=_("This start-up has already applied to this programme."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="application_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(pending_decision="")
                | Q(pending_decision__in=[v.value for v in STAGEABLE]),
                name="application_pending_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1), name="application_rank_positive"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[s.value for s in SEAT_STATES])
                | Q(confirm_by__isnull=False),
                name="application_seat_has_confirm_by",
            ),
        ]

    def __str__(self) -> str:
        return _("%(startup)s for %(programme)s") % {
            "startup": self.startup,
            "programme": self.programme,
        }


class Answer(models.Model):
    """An application's answer to one of its programme's questions."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="answers", verbose_name=_("application")
    )
    question = models.ForeignKey(
        ProgrammeQuestion,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("question"),
    )
    value = models.TextField(_("answer"), blank=True, max_length=3000)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["application", "question"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return self.value


class ApplicationEvent(models.Model):
    """One recorded change of an application's state."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name=_("application")
    )
    verb = models.CharField(_("action"), max_length=20, choices=Verb)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the portal acted on its own."),
    )
    from_state = models.CharField(_("from"), max_length=20, choices=State)
    to_state = models.CharField(_("to"), max_length=20, choices=State)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["application", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class Review(models.Model):
    """A staff member's scores for an application."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("application")
    )
    team = models.PositiveSmallIntegerField(_("team"))
    product = models.PositiveSmallIntegerField(_("product"))
    market_fit = models.PositiveSmallIntegerField(_("market fit"))
    readiness = models.PositiveSmallIntegerField(_("readiness"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "application"],
                name="review_one_per_reviewer",
                violation_error_message=_("You have already reviewed this application."),
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
                    name=f"review_{field}_score_1_to_5",
                )
                for field in ("team", "product", "market_fit", "readiness")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.application}"


class Verdict(models.TextChoices):
    RECOMMEND = "recommend", _("recommend")
    NEUTRAL = "neutral", _("neutral")
    DO_NOT_RECOMMEND = "do_not_recommend", _("do not recommend")


class Recommendation(models.Model):
    """A partner organisation's recommendation on an application it hosts or co-organises."""

    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("organisation"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("application"),
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict)
    comment = models.TextField(_("comment"), blank=True, max_length=3000)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "application"], name="recommendation_one_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="recommendation_verdict_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_verdict_display()}"
