"""Applications with answers, history and consent; staff's reviews and programmes.

Registered with alliance.privacy.registry (imported by alliance/privacy/apps.py).
"""

from django.db.models import Q

from alliance.privacy.registry import exempt, register
from exchanges.models import Answer, Application, ApplicationEvent, ExchangeProgramme, Review, Score
from startups.personal_data import owned_startups


def their_applications(user):
    """The applications of the start-ups `user` owns, and those the user started."""

    return Application.objects.filter(
        Q(startup__in=owned_startups(user).values("pk")) | Q(created_by=user)
    )


def _answers(user):
    return Answer.objects.filter(application__in=their_applications(user).values("pk"))


def _events(user):
    return ApplicationEvent.objects.filter(
        Q(application__in=their_applications(user).values("pk")) | Q(actor=user)
    )


def _reviews(user):
    return Review.objects.filter(reviewer=user)


def _scores(user):
    return Score.objects.filter(review__reviewer=user)


def _managed_programmes(user):
    return ExchangeProgramme.objects.filter(managers=user)


register(
    "exchanges.Application",
    rows=their_applications,
    # The consent (its time and text) and the state are the founder's; a decision staff
    # have prepared but not announced, the ranking and the review aggregates are not
    # released before the decision is.
    exclude=(
        "pending_decision",
        "pending_comment",
        "pending_comment_shared",
        "rank",
        "review_count",
        "review_score",
        "review_spread",
    ),
    files=("pitch_deck",),
)
register("exchanges.Answer", rows=_answers)
register(
    "exchanges.ApplicationEvent",
    rows=_events,
    exclude=("actor",),  # who at Berlin Partner moved it is staff's data
    note="The history of the user's applications, and the moves the user made (staff).",
)
register("exchanges.Review", rows=_reviews, note="Reviews written by the user (staff).")
register("exchanges.Score", rows=_scores, note="The scores of the user's reviews (staff).")
register(
    "exchanges.ExchangeProgramme",
    rows=_managed_programmes,
    fields=("title", "slug"),
    note="The programmes the user manages (staff).",
)
exempt("exchanges.ReviewCriterion", reason="A review criterion's name.")
