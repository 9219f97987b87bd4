"""Assessments of an application: staff reviews (scored per criterion) and partners'
recommendations."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.models import PartnerOrganisation
from exchanges.models.application import Application
from exchanges.models.programme import ExchangeProgramme

MIN_SCORE, MAX_SCORE = 1, 5


class ReviewCriterionQuerySet(models.QuerySet):
    def defaults(self) -> "ReviewCriterionQuerySet":
        """The network's default criteria: those of no programme."""
        return self.filter(programme__isnull=True)


class ReviewCriterion(models.Model):
    """One thing reviewers score, with its weight in the average.

    A criterion of no programme is one of the network's defaults (team, product, market
    fit, readiness): a programme without criteria of its own is reviewed by those.
    """

    programme = models.ForeignKey(
        ExchangeProgramme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("programme"),
        help_text=_("Empty for one of the network's default criteria."),
    )
    name = models.CharField(_("criterion"), max_length=100)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ReviewCriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["programme", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=10),
                name="criterion_weight_1_to_10",
                violation_error_message=_("A weight is between 1 and 10."),
            ),
            models.CheckConstraint(
                condition=Q(name_en__isnull=False) & ~Q(name_en=""),
                name="criterion_name_en_required",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """A staff member's review of an application: a score per criterion, or an abstention.

    `score` is the weighted average of the review's scores (None when abstaining); the
    service that saves a review keeps it and the application's summary up to date.
    """

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("reviewer"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("application"),
        db_index=False,  # review_one_per_reviewer (application, reviewer) starts with it
    )
    conflict_of_interest = models.BooleanField(
        _("conflict of interest"),
        help_text=_("Declared by the reviewer: a conflict means abstaining."),
    )
    abstained = models.BooleanField(_("abstained"), default=False)
    score = models.DecimalField(
        _("weighted score"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                name="review_one_per_reviewer",
                violation_error_message=_("You have already reviewed this application."),
            ),
            models.CheckConstraint(
                condition=Q(conflict_of_interest=False) | Q(abstained=True),
                name="review_conflict_abstains",
                violation_error_message=_("With a conflict of interest a reviewer abstains."),
            ),
            models.CheckConstraint(
                condition=(Q(abstained=True) & Q(score__isnull=True))
                | (Q(abstained=False) & Q(score__gte=MIN_SCORE, score__lte=MAX_SCORE)),
                name="review_score_unless_abstained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.application}"


class Score(models.Model):
    """A review's score on one criterion, 1 (weak) to 5 (excellent)."""

    review = models.ForeignKey(
        Review,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("review"),
        db_index=False,  # score_one_per_criterion (review, criterion) starts with it
    )
    criterion = models.ForeignKey(
        ReviewCriterion,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("criterion"),
    )
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(MIN_SCORE), MaxValueValidator(MAX_SCORE)]
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["review", "criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(value__gte=MIN_SCORE, value__lte=MAX_SCORE),
                name="score_1_to_5",
                violation_error_message=_("A score is between 1 and 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


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
        db_index=False,  # recommendation_one_per_organisation starts with it
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
