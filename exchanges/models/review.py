"""Assessments of an application: staff reviews and partners' recommendations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cities.models import PartnerOrganisation
from exchanges.models.application import Application


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
