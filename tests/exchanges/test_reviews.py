"""The review services: weighted scores, the application's summary, who may review when."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone

from alliance.errors import DomainError
from exchanges import services
from exchanges.models import Application, Review, ReviewCriterion, Score, State
from startups.models import Role
from tests.exchanges.conftest import make_application
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.helpers import at_once

pytestmark = pytest.mark.django_db


def reviewer_of(programme, **fields):
    """A staff member who reviews `programme`: the two permissions and the assignment."""
    user = UserFactory(is_staff=True, **fields)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="exchanges",
            codename__in=["view_application", "review_application"],
        )
    )
    programme.reviewers.add(user)
    return user


def own_criteria(programme, *weights):
    """Criteria of `programme` of their own, named A, B, C... with these weights."""
    return [
        ReviewCriterion.objects.create(
            programme=programme,
            name_en=chr(ord("A") + position),
            name_de=chr(ord("A") + position),
            weight=weight,
            position=position,
        )
        for position, weight in enumerate(weights)
    ]


def defaults():
    return list(ReviewCriterion.objects.defaults().order_by("position"))


def scored(criteria, *values):
    return {criterion.pk: value for criterion, value in zip(criteria, values, strict=True)}


DEFAULT_NAMES = ("Team", "Product", "Market fit", "Readiness")


def review(
    application,
    reviewer,
    *values,
    names=DEFAULT_NAMES,
    conflict=False,
    abstained=False,
    comment="",
):
    """Save `reviewer`'s review with `values` for the criteria named `names`, in order (the
    network's four defaults unless named: `own_criteria` names a programme's A, B, C...)."""
    named = {
        criterion.name_en: criterion.pk
        for criterion in ReviewCriterion.objects.filter(
            Q(programme=application.programme) | Q(programme__isnull=True)
        )
    }
    return services.save_review(
        application,
        reviewer=reviewer,
        scores={named[name]: value for name, value in zip(names, values, strict=False)},
        comment=comment,
        conflict_of_interest=conflict,
        abstained=abstained,
    )


def summary(application) -> tuple:
    application = Application.objects.get(pk=application.pk)
    return (application.review_count, application.review_score, application.review_spread)


@pytest.fixture
def submitted(world):
    return make_application(world, State.SUBMITTED)


def test_default_criteria_are_the_networks_four(world):
    criteria = services.criteria_for(world.programme)

    assert [(criterion.name, criterion.weight) for criterion in criteria] == [
        ("Team", 1),
        ("Product", 1),
        ("Market fit", 1),
        ("Readiness", 1),
    ]


def test_programme_criteria_replace_the_defaults(world, submitted):
    own_criteria(world.programme, 2, 1)
    other = ProgrammeFactory()

    assert [c.name for c in services.criteria_for(world.programme)] == ["A", "B"]
    assert [c.name for c in services.criteria_for(other)] == [
        "Team",
        "Product",
        "Market fit",
        "Readiness",
    ]
    # Scores for the defaults do not score the programme's own criteria.
    with pytest.raises(DomainError) as refused:
        services.save_review(
            submitted,
            reviewer=reviewer_of(world.programme),
            scores=scored(defaults(), 5, 5, 5, 5),
            conflict_of_interest=False,
            abstained=False,
        )
    assert refused.value.code == "scores_missing"
    assert refused.value.messages == [
        "Give A a score from 1 to 5, or abstain.",
        "Give B a score from 1 to 5, or abstain.",
    ]
    assert Review.objects.count() == 0


def test_review_score_is_the_weighted_average(world, submitted):
    criteria = own_criteria(world.programme, 2, 1, 1)

    saved = review(
        submitted,
        reviewer_of(world.programme),
        5,
        3,
        1,
        names=("A", "B", "C"),
        comment="  Strong team. ",
    )

    assert saved.score == Decimal("3.50")
    assert saved.comment == "Strong team."
    assert sorted(Score.objects.values_list("criterion_id", "value")) == [
        (criteria[0].pk, 5),
        (criteria[1].pk, 3),
        (criteria[2].pk, 1),
    ]
    assert summary(submitted) == (1, Decimal("3.50"), Decimal("0.00"))
    assert (submitted.review_count, submitted.review_score) == (1, Decimal("3.50"))


def test_review_score_rounds_half_up(world, submitted):
    own_criteria(world.programme, 3, 3, 2)

    # (3*5 + 3*2 + 2*2) / 8 = 3.125: half up is 3.13 (half even would be 3.12).
    saved = review(submitted, reviewer_of(world.programme), 5, 2, 2, names=("A", "B", "C"))

    assert saved.score == Decimal("3.13")


def test_summary_after_two_reviewers(world, submitted):
    review(submitted, reviewer_of(world.programme), 5, 5, 4, 4)  # 4.50
    review(submitted, reviewer_of(world.programme), 3, 3, 3, 4)  # 3.25

    # Mean 3.875, half up 3.88; spread 4.50 - 3.25.
    assert summary(submitted) == (2, Decimal("3.88"), Decimal("1.25"))


def test_editing_a_review_updates_it_and_the_summary(world, submitted):
    first, second = reviewer_of(world.programme), reviewer_of(world.programme)
    review(submitted, first, 5, 5, 4, 4)  # 4.50
    original = review(submitted, second, 3, 3, 3, 4)  # 3.25

    edited = review(submitted, second, 5, 5, 5, 5, comment="Better on a second read.")

    assert edited.pk == original.pk
    assert Review.objects.count() == 2
    assert sorted(Score.objects.filter(review=edited).values_list("value", flat=True)) == [
        5,
        5,
        5,
        5,
    ]
    assert Review.objects.get(pk=edited.pk).comment == "Better on a second read."
    assert summary(submitted) == (2, Decimal("4.75"), Decimal("0.50"))


def test_an_abstention_is_counted_out(world, submitted):
    review(submitted, reviewer_of(world.programme), 5, 5, 4, 4)  # 4.50

    abstention = review(
        submitted, reviewer_of(world.programme), 1, 1, 1, 1, abstained=True, comment="Too close."
    )

    assert (abstention.abstained, abstention.score) == (True, None)
    assert Score.objects.filter(review=abstention).count() == 0
    assert Review.objects.get(pk=abstention.pk).comment == "Too close."
    assert summary(submitted) == (1, Decimal("4.50"), Decimal("0.00"))


def test_an_abstention_needs_no_scores(world, submitted):
    abstention = review(submitted, reviewer_of(world.programme), abstained=True)

    assert (abstention.abstained, abstention.score) == (True, None)
    assert summary(submitted) == (0, None, None)


def test_a_conflict_of_interest_forces_abstention(world, submitted):
    saved = review(submitted, reviewer_of(world.programme), 5, 5, 5, 5, conflict=True)

    stored = Review.objects.get(pk=saved.pk)
    assert (stored.conflict_of_interest, stored.abstained, stored.score) == (True, True, None)
    assert Score.objects.count() == 0
    assert summary(submitted) == (0, None, None)


def test_abstaining_after_scoring_drops_the_scores(world, submitted):
    reviewer = reviewer_of(world.programme)
    review(submitted, reviewer, 4, 4, 4, 4)

    review(submitted, reviewer, conflict=True)

    assert Score.objects.count() == 0
    assert summary(submitted) == (0, None, None)


def test_a_member_of_the_startup_is_refused(world, submitted):
    reviewer = reviewer_of(world.programme)
    MembershipFactory(startup=world.startup, user=reviewer, role=Role.MEMBER)

    with pytest.raises(DomainError) as refused:
        review(submitted, reviewer, 5, 5, 5, 5)

    assert refused.value.code == "not_reviewable"
    assert refused.value.messages == [
        "You belong to this start-up: you cannot review its application."
    ]
    assert Review.objects.count() == 0


def test_an_unassigned_reviewer_is_refused(world, submitted):
    reviewer = reviewer_of(ProgrammeFactory())  # the permissions, another programme

    with pytest.raises(DomainError) as refused:
        review(submitted, reviewer, 5, 5, 5, 5)

    assert refused.value.messages == ["You are not a reviewer of this programme."]
    assert summary(submitted) == (0, None, None)


def test_a_manager_of_the_programme_may_review(world, submitted):
    manager = UserFactory(is_staff=True)
    manager.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "review_application"])
    )
    world.programme.managers.add(manager)

    review(submitted, manager, 2, 2, 2, 2)

    assert summary(submitted) == (1, Decimal("2.00"), Decimal("0.00"))


def test_reviews_close_when_the_decisions_are_announced(world, submitted):
    reviewer = reviewer_of(world.programme)
    review(submitted, reviewer, 4, 4, 4, 4)
    world.programme.decisions_announced_at = timezone.now()
    world.programme.save(update_fields=["decisions_announced_at"])

    with pytest.raises(DomainError) as refused:
        review(submitted, reviewer, 1, 1, 1, 1)
    with pytest.raises(DomainError) as refused_new:
        review(submitted, reviewer_of(world.programme), 1, 1, 1, 1)

    message = "The decisions of this programme are announced: its reviews are closed."
    assert refused.value.messages == refused_new.value.messages == [message]
    assert Review.objects.get().score == Decimal("4.00")
    assert summary(submitted) == (1, Decimal("4.00"), Decimal("0.00"))


@pytest.mark.parametrize("state", [State.DRAFT, State.WITHDRAWN])
def test_drafts_and_withdrawn_applications_are_not_reviewed(world, state):
    application = make_application(world, state)

    with pytest.raises(DomainError) as refused:
        review(application, reviewer_of(world.programme), 5, 5, 5, 5)

    assert refused.value.messages == ["A draft or withdrawn application cannot be reviewed."]
    assert Review.objects.count() == 0


def test_a_missing_score_is_refused_unless_abstaining(world, submitted):
    criteria = defaults()

    with pytest.raises(DomainError) as refused:
        services.save_review(
            submitted,
            reviewer=reviewer_of(world.programme),
            scores={criteria[0].pk: 5, criteria[1].pk: 6, criteria[3].pk: 4},
            conflict_of_interest=False,
            abstained=False,
        )

    assert refused.value.messages == [
        "Give Product a score from 1 to 5, or abstain.",
        "Give Market fit a score from 1 to 5, or abstain.",
    ]
    assert Review.objects.count() == 0


def test_deleting_ones_review_updates_the_summary(world, submitted):
    first, second = reviewer_of(world.programme), reviewer_of(world.programme)
    review(submitted, first, 5, 5, 4, 4)  # 4.50
    gone = review(submitted, second, 1, 1, 1, 1)

    services.delete_review(gone, by=second)

    assert list(Review.objects.values_list("reviewer", flat=True)) == [first.pk]
    assert Score.objects.count() == 4
    assert summary(submitted) == (1, Decimal("4.50"), Decimal("0.00"))


def test_only_ones_own_review_is_deleted_and_only_before_announcement(world, submitted):
    first, second = reviewer_of(world.programme), reviewer_of(world.programme)
    mine = review(submitted, first, 5, 5, 4, 4)

    with pytest.raises(DomainError) as not_own:
        services.delete_review(mine, by=second)
    world.programme.decisions_announced_at = timezone.now()
    world.programme.save(update_fields=["decisions_announced_at"])
    with pytest.raises(DomainError) as closed:
        services.delete_review(mine, by=first)

    assert not_own.value.messages == ["You can delete only your own review."]
    assert closed.value.code == "reviews_closed"
    assert Review.objects.count() == 1


def test_the_queue_lists_what_is_left_to_review(world):
    reviewer = reviewer_of(world.programme)
    waiting = {
        state: make_application(world, state, startup=MembershipFactory().startup)
        for state in (State.SUBMITTED, State.IN_REVIEW, State.SHORTLISTED, State.WAITLISTED)
    }
    for state in (State.DRAFT, State.REJECTED, State.WITHDRAWN, State.ACCEPTED):
        make_application(world, state, startup=MembershipFactory().startup)
    reviewed = make_application(world, State.SUBMITTED, startup=MembershipFactory().startup)
    review(reviewed, reviewer, 3, 3, 3, 3)
    own_team = MembershipFactory(user=reviewer, role=Role.MEMBER).startup
    make_application(world, State.SUBMITTED, startup=own_team)
    announced = ProgrammeFactory(decisions_announced_at=timezone.now())
    announced.reviewers.add(reviewer)
    submitted_to(announced)
    submitted_to(ProgrammeFactory())  # not the reviewer's programme

    queued = set(services.unreviewed_applications(reviewer))

    assert queued == set(waiting.values())


def submitted_to(programme):
    """A submitted application of a new start-up to `programme`."""
    return ApplicationFactory(
        programme=programme, state=State.SUBMITTED, submitted_at=timezone.now()
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviews_at_the_same_moment_both_count(world):
    application = make_application(world, State.SUBMITTED)
    own_criteria(world.programme, 1, 1)
    reviewers = [reviewer_of(world.programme), reviewer_of(world.programme)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(reviewer, value):
        try:
            barrier.wait(timeout=10)
            review(Application.objects.get(pk=application.pk), reviewer, value, value, names="AB")
            outcomes.append("saved")
        except Exception as error:  # noqa: BLE001 - a lost update must show up as an outcome
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    at_once(save, zip(reviewers, (5, 2), strict=True), timeout=30)

    assert outcomes == ["saved", "saved"]
    assert summary(application) == (2, Decimal("3.50"), Decimal("3.00"))
    assert connection.vendor == "postgresql"
