"""Staff reviews: one per reviewer per application, scored per criterion, summarised on the
application in the review's transaction so that lists sort by it without a query per row.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.accounts.models import User
from alliance.errors import DomainError
from exchanges import access
from exchanges.models import (
    MAX_SCORE,
    MIN_SCORE,
    Application,
    ExchangeProgramme,
    Review,
    ReviewCriterion,
    Score,
    State,
)
from exchanges.services._mover import lock

CENT = Decimal("0.01")
# A draft is not the team's yet; a withdrawn application is no longer theirs to judge.
UNREVIEWABLE = frozenset({State.DRAFT, State.WITHDRAWN})
# The states a reviewer's queue lists: submitted and not yet decided.
QUEUED = (State.SUBMITTED, State.IN_REVIEW, State.SHORTLISTED, State.WAITLISTED)


def criteria_for(programme: ExchangeProgramme) -> list[ReviewCriterion]:
    """The criteria `programme` is reviewed by: its own, else the network's defaults."""
    rows = ReviewCriterion.objects.filter(Q(programme=programme) | Q(programme__isnull=True))
    rows = list(rows.order_by("position", "pk"))
    own = [criterion for criterion in rows if criterion.programme_id == programme.pk]
    return own or [criterion for criterion in rows if criterion.programme_id is None]


def criteria_change_refusal(programme: ExchangeProgramme | None):
    """Why criteria can no longer be added, reweighted or deleted, or None if they can.

    `programme`'s own (None: the network's defaults): once reviews scored by them exist,
    the summaries kept on the applications, and the board and exports that sort by them,
    would no longer match.
    """
    if programme is None:
        if Score.objects.filter(criterion__programme__isnull=True).exists():
            return _(
                "Reviews have scored the network's default criteria: they can no longer be "
                "added, reweighted or deleted."
            )
        return None
    if Review.objects.filter(application__programme=programme).exists():
        return _(
            "This programme has reviews: its criteria can no longer be added, reweighted or "
            "deleted."
        )
    return None


def weighted_score(criteria: Iterable[ReviewCriterion], scores: Mapping[int, int]) -> Decimal:
    """The average of `scores` weighted by their criteria, to the cent, half up."""
    criteria = list(criteria)
    total = sum(criterion.weight * scores[criterion.pk] for criterion in criteria)
    weights = sum(criterion.weight for criterion in criteria)
    return (Decimal(total) / Decimal(weights)).quantize(CENT, rounding=ROUND_HALF_UP)


def review_refusal(application: Application, reviewer: User):
    """Why `reviewer` may not review `application` at all, or None if they may."""
    if not access.may_review(reviewer, application):
        if access.belongs_to_startup(reviewer, application):
            return _("You belong to this start-up: you cannot review its application.")
        return _("You are not a reviewer of this programme.")
    if application.programme.decisions_announced_at is not None:
        return _("The decisions of this programme are announced: its reviews are closed.")
    if application.state in UNREVIEWABLE:
        return _("A draft or withdrawn application cannot be reviewed.")
    return None


def unscored(
    criteria: Iterable[ReviewCriterion], scores: Mapping[int, int | None]
) -> list[ReviewCriterion]:
    """The criteria that `scores` (criterion id -> score) gives no score from 1 to 5."""
    return [c for c in criteria if scores.get(c.pk) not in range(MIN_SCORE, MAX_SCORE + 1)]


@transaction.atomic
def save_review(
    application: Application,
    *,
    reviewer: User,
    scores: Mapping[int, int],
    comment: str = "",
    conflict_of_interest: bool,
    abstained: bool = False,
) -> Review:
    """Create or update `reviewer`'s review of `application`, and the application's summary.

    A declared conflict of interest means abstaining; an abstention keeps no scores.
    """
    locked = lock(application)
    criteria = criteria_for(locked.programme)
    abstained = abstained or conflict_of_interest
    refusal = review_refusal(locked, reviewer)
    if refusal:
        raise DomainError("not_reviewable", refusal)
    missing = [] if abstained else unscored(criteria, scores)
    if missing:
        raise DomainError(
            "scores_missing",
            [
                _("Give %(criterion)s a score from %(min)d to %(max)d, or abstain.")
                % {"criterion": criterion.name, "min": MIN_SCORE, "max": MAX_SCORE}
                for criterion in missing
            ],
        )
    now = timezone.now()
    review = Review.objects.filter(application=locked, reviewer=reviewer).first()
    if review is None:
        review = Review(application=locked, reviewer=reviewer, created_at=now)
    review.conflict_of_interest = conflict_of_interest
    review.abstained = abstained
    review.score = None if abstained else weighted_score(criteria, scores)
    review.comment = comment.strip()
    review.updated_at = now
    review.full_clean(
        exclude=["application", "reviewer"], validate_unique=False, validate_constraints=False
    )
    review.save()
    _keep_scores(review, {} if abstained else {c.pk: scores[c.pk] for c in criteria})
    _summarise(locked)
    application.review_count = locked.review_count
    application.review_score = locked.review_score
    application.review_spread = locked.review_spread
    return review


@transaction.atomic
def delete_review(review: Review, *, by: User) -> None:
    """Delete `by`'s own review before the programme's decisions are announced."""
    locked = lock(review.application)
    if review.reviewer_id != by.pk:
        raise DomainError("not_own_review", _("You can delete only your own review."))
    if locked.programme.decisions_announced_at is not None:
        raise DomainError(
            "reviews_closed",
            _("The decisions of this programme are announced: its reviews are closed."),
        )
    review.delete()  # its scores with it, each deletion signalled and so audited
    _summarise(locked)


def _keep_scores(review: Review, values: Mapping[int, int]) -> None:
    """Make the review's scores exactly `values` (criterion id -> score), each write audited."""
    existing = {score.criterion_id: score for score in review.scores.all()}
    for criterion_id, score in existing.items():
        if criterion_id not in values:
            score.delete()
        elif score.value != values[criterion_id]:
            score.value = values[criterion_id]
            score.save(update_fields=["value"])
    for criterion_id, value in values.items():
        if criterion_id not in existing:
            Score.objects.create(review=review, criterion_id=criterion_id, value=value)


def _summarise(application: Application) -> None:
    """Recount the (locked) application's reviews: how many, their mean and their spread."""
    weighted = list(application.reviews.filter(abstained=False).values_list("score", flat=True))
    application.review_count = len(weighted)
    if weighted:
        mean = sum(weighted, Decimal(0)) / len(weighted)
        application.review_score = mean.quantize(CENT, rounding=ROUND_HALF_UP)
        application.review_spread = max(weighted) - min(weighted)
    else:
        application.review_score = application.review_spread = None
    application.save(update_fields=["review_count", "review_score", "review_spread"])


def unreviewed_applications(user: User) -> QuerySet[Application]:
    """What `user` still has to review: open applications of programmes they review."""
    return (
        Application.objects.filter(
            programme__in=access.reviewed_programmes(user),
            state__in=QUEUED,
            programme__decisions_announced_at__isnull=True,
        )
        .filter(programme__in=access.visible_programmes(user))
        .exclude(pk__in=Review.objects.filter(reviewer=user).values("application_id"))
        .exclude(startup__in=user.memberships.values("startup_id"))
    )
