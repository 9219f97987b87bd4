"""Applications to programmes, their answers, their history and their state machine."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.private_files import private_storage
from alliance.uploads import pitch_deck_name, validate_pdf
from exchanges.models.programme import ExchangeProgramme, ProgrammeQuestion
from startups.models import Startup


class GeneratedNameFileField(models.FileField):
    """A file stored under a generated name: the uploader's own name may be of any length."""

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.max_length = None  # `max_length` bounds the stored (generated) name only
        return field

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        # The migrations know it by the package's name, whichever module defines it.
        return name, "exchanges.models.GeneratedNameFileField", args, kwargs


class Need(models.TextChoices):
    MEETINGS = "meetings", _("meetings with companies")
    OFFICE = "office", _("office space")
    INVESTORS = "investors", _("investors")
    MENTORS = "mentors", _("mentors")
    VISA = "visa", _("visa support")
    ACCOMMODATION = "accommodation", _("accommodation")


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", pgettext_lazy("application state", "submitted")
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
class TransitionRule:
    """One row of the table: the states a verb moves from, its target and who may act."""

    sources: frozenset[State]
    target: State
    actors: frozenset[Actor]


def _transition(sources: set[State], target: State, actors: set[Actor]) -> TransitionRule:
    return TransitionRule(frozenset(sources), target, frozenset(actors))


DECIDABLE = {State.SUBMITTED, State.IN_REVIEW, State.SHORTLISTED, State.WAITLISTED}

TRANSITIONS: dict[Verb, TransitionRule] = {
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
        db_index=False,  # the (programme, state) index starts with it
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
    pending_comment = models.TextField(
        _("comment on the staged decision"),
        blank=True,
        max_length=3000,
        help_text=_("Recorded with the decision when it is announced."),
    )
    pending_comment_shared = models.BooleanField(
        _("include the comment in the email to the team"), default=False
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
    pitch_deck_filename = models.CharField(
        _("pitch deck's file name"),
        max_length=120,
        blank=True,
        help_text=_("The uploader's own name of the file (it is stored under another)."),
    )
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_text = models.TextField(_("consent wording"), blank=True)
    consent_withdrawn_at = models.DateTimeField(
        _("consent withdrawn"),
        null=True,
        blank=True,
        help_text=_("Since then no partner organisation sees the application."),
    )
    anonymised_at = models.DateTimeField(
        _("anonymised"),
        null=True,
        blank=True,
        help_text=_("Its personal data and pitch deck were removed by the retention rules."),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    confirm_by = models.DateTimeField(_("confirm by"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # The reviews' summary, kept by the review services in the review's transaction so
    # that lists sort and show it without a query per row.
    review_count = models.PositiveIntegerField(_("reviews"), default=0)
    review_score = models.DecimalField(
        _("weighted average"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    review_spread = models.DecimalField(
        _("spread"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The highest review score minus the lowest."),
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-updated_at", "-pk"]
        permissions = [
            ("review_application", _("Can review applications of assigned programmes")),
            ("decide_application", _("Can decide on applications of assigned programmes")),
            ("export_application", _("Can export applications")),
            ("see_every_programme", _("Can see and act on the applications of every programme")),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="application_sync"),
            models.Index(fields=["programme", "state"], name="application_programme_state"),
            # The staged few among many: the "pending decision" filter, newest first.
            models.Index(
                fields=["updated_at", "id"],
                condition=~Q(pending_decision=""),
                name="application_staged",
            ),
            # And on PostgreSQL `application_board_score` (migration 0004: SQLite cannot
            # index NULLS LAST), the decision board's default order.
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

    @property
    def need_labels(self) -> list[str]:
        """The needs in the choices' order, as their readers see them."""
        return [need.label for need in Need if need.value in (self.needs or [])]

    @property
    def pitch_deck_shown_name(self) -> str:
        """The pitch deck's name as its uploader knows it."""
        return self.pitch_deck_filename or (_("pitch deck") + ".pdf" if self.pitch_deck else "")


class Answer(models.Model):
    """An application's answer to one of its programme's questions."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("application"),
        db_index=False,  # answer_unique (application, question) starts with it
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
