"""Who decides on an application and who reads its reviews (exchanges/access.py), through
the services, the admin's actions, the board, the review list and the application page."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from alliance.errors import DomainError
from exchanges import access, services
from exchanges.models import Application, State, Verb
from startups.models import Role
from tests.exchanges.conftest import make_application, staff_user
from tests.exchanges.test_reviews import review, reviewer_of
from tests.factories import MembershipFactory, StartupFactory
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:exchanges_application_changelist")
REVIEWS = reverse("admin:exchanges_review_changelist")


@pytest.fixture
def insider(world, manager):
    """The manager is also a member of the world's start-up."""
    MembershipFactory(startup=world.startup, user=manager, role=Role.MEMBER)
    return manager


@pytest.fixture
def submitted(world):
    world.startup.name = "Kiezkraft"
    world.startup.save()
    return make_application(world, State.SUBMITTED)


# Deciding


def test_may_decide_application_is_refused_to_a_member_of_the_team(world, manager, submitted):
    other = make_application(world, State.SUBMITTED, startup=StartupFactory(name="Other"))
    before = (
        access.may_decide_application(manager, submitted),
        access.may_decide_application(manager, other),
    )
    MembershipFactory(startup=world.startup, user=manager, role=Role.MEMBER)

    after = (
        access.may_decide_application(manager, submitted),
        access.may_decide_application(manager, other),
        access.may_decide(manager, world.programme),
    )

    assert before == (True, True)
    assert after == (False, True, True)


def test_an_administrator_of_the_team_cannot_decide_either(world, submitted):
    MembershipFactory(startup=world.startup, user=world.staff, role=Role.MEMBER)

    with pytest.raises(DomainError) as refused:
        services.accept_application(submitted, by=world.staff)

    assert refused.value.code == "conflict_of_interest"
    assert str(refused.value) == (
        "You belong to Kiezkraft: another manager of the programme decides on it."
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda a, by: services.start_review(a, by=by),
        lambda a, by: services.shortlist_application(a, by=by),
        lambda a, by: services.waitlist_application(a, by=by),
        lambda a, by: services.accept_application(a, by=by),
        lambda a, by: services.reject_application(a, by=by),
        lambda a, by: services.stage_decision(a, verb=Verb.ACCEPT, by=by),
        lambda a, by: services.clear_staged_decision(a, by=by),
    ],
    ids=["start_review", "shortlist", "waitlist", "accept", "reject", "stage", "clear"],
)
def test_every_verb_refuses_a_manager_of_the_team(world, insider, submitted, call):
    with pytest.raises(DomainError) as refused:
        call(submitted, insider)

    submitted.refresh_from_db()
    assert refused.value.code == "conflict_of_interest"
    assert (submitted.state, submitted.pending_decision, submitted.events.count()) == (
        State.SUBMITTED,
        "",
        0,
    )


def test_moving_in_the_waitlist_refuses_a_manager_of_the_team(world, insider):
    waitlisted = make_application(world, State.WAITLISTED, rank=1)

    with pytest.raises(DomainError) as refused:
        services.move_in_waitlist(waitlisted, rank=3, by=insider)

    assert refused.value.code == "conflict_of_interest"


def test_a_manager_of_another_programme_is_still_not_staff(world, submitted):
    outsider = staff_user(email="elsewhere@berlin-partner.example")
    outsider.user_permissions.remove(Permission.objects.get(codename="see_every_programme"))

    with pytest.raises(DomainError) as refused:
        services.start_review(submitted, by=outsider)

    assert refused.value.code == "not_staff"


def test_the_admin_action_refuses_a_manager_of_the_team(client, world, insider, submitted):
    client.force_login(insider)

    response = client.post(
        CHANGELIST,
        {"action": "start_review", "_selected_action": [submitted.pk]},
        follow=True,
    )

    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
    assert [str(m) for m in response.context["messages"]] == [
        f"{submitted}: You belong to Kiezkraft: another manager of the programme decides on it."
    ]


def test_the_board_refuses_staging_for_a_manager_of_the_team(client, world, insider, submitted):
    other = make_application(world, State.SUBMITTED, startup=StartupFactory(name="Other"))
    client.force_login(insider)
    board = reverse("admin:exchanges_exchangeprogramme_board", args=[world.programme.pk])

    response = client.post(
        board,
        {"decision": Verb.REJECT.value, "selected": [submitted.pk, other.pk]},
        follow=True,
    )

    staged = dict(Application.objects.values_list("pk", "pending_decision"))
    assert staged == {submitted.pk: "", other.pk: Verb.REJECT.value}
    assert [str(m) for m in response.context["messages"]] == [
        "Kiezkraft: You belong to Kiezkraft: another manager of the programme decides on it.",
        "1 application: staged for rejection.",
    ]


def test_announcing_is_refused_to_a_manager_of_a_staged_startup(world, insider, submitted):
    colleague = staff_user(email="colleague@berlin-partner.example")
    services.stage_decision(submitted, verb=Verb.ACCEPT, by=colleague)

    with pytest.raises(DomainError) as refused:
        services.announce_decisions(world.programme, by=insider)
    services.announce_decisions(world.programme, by=colleague)

    submitted.refresh_from_db()
    assert refused.value.code == "conflict_of_interest"
    assert str(refused.value) == (
        "You belong to Kiezkraft, whose application is staged: another manager of the "
        "programme announces these decisions."
    )
    assert submitted.state == State.ACCEPTED


def test_announcing_other_startups_is_allowed_to_a_team_member(world, insider, submitted):
    other = make_application(world, State.SUBMITTED, startup=StartupFactory(name="Other"))
    services.stage_decision(other, verb=Verb.REJECT, by=insider)

    announced = services.announce_decisions(world.programme, by=insider)

    assert [application.pk for application in announced] == [other.pk]


# Reading others' reviews


@pytest.fixture
def colleagues_review(world, submitted):
    colleague = reviewer_of(world.programme, email="ben@berlin-partner.example")
    return review(submitted, colleague, 2, 2, 2, 2, comment="Thin market study.")


@pytest.mark.parametrize(
    "declared",
    [
        (False, False, True),  # scored: unlocked
        (False, True, False),  # abstained: not unlocked
        (True, True, False),  # a declared conflict: never
    ],
)
def test_only_a_scored_review_of_ones_own_unlocks_the_others(
    client, world, submitted, colleagues_review, declared
):
    conflict, abstained, sees = declared
    anna = reviewer_of(world.programme, email="anna@berlin-partner.example")
    values = () if abstained else (4, 4, 4, 4)
    own = review(submitted, anna, *values, conflict=conflict, abstained=abstained, comment="Mine.")
    client.force_login(anna)

    listed = client.get(REVIEWS)
    theirs = client.get(reverse("admin:exchanges_review_change", args=[colleagues_review.pk]))
    page = text_of(client.get(reverse("admin:exchanges_application_change", args=[submitted.pk])))

    rows = sorted(r.reviewer.email for r in listed.context["cl"].result_list)
    expected_rows = ["anna@berlin-partner.example"]
    if sees:
        expected_rows = ["anna@berlin-partner.example", "ben@berlin-partner.example"]
    assert rows == expected_rows
    assert (theirs.status_code, theirs.get("Location")) == (
        (200, None) if sees else (302, reverse("admin:index"))
    )
    assert ("Thin market study." in page) == sees
    assert access.sees_others_reviews(anna, submitted) == sees
    assert [r.pk for r in access.reviews_visible_to(anna).order_by("pk")] == (
        [colleagues_review.pk, own.pk] if sees else [own.pk]
    )


def test_a_manager_reads_the_reviews_unless_of_the_team(
    client, world, manager, submitted, colleagues_review
):
    client.force_login(manager)
    before = (
        [r.pk for r in client.get(REVIEWS).context["cl"].result_list],
        "Thin market study."
        in text_of(client.get(reverse("admin:exchanges_application_change", args=[submitted.pk]))),
    )
    MembershipFactory(startup=world.startup, user=manager, role=Role.MEMBER)

    after = (
        [r.pk for r in client.get(REVIEWS).context["cl"].result_list],
        "Thin market study."
        in text_of(client.get(reverse("admin:exchanges_application_change", args=[submitted.pk]))),
        client.get(reverse("admin:exchanges_review_change", args=[colleagues_review.pk])).url,
    )

    assert before == ([colleagues_review.pk], True)
    assert after == ([], False, reverse("admin:index"))


def test_a_manager_who_declared_a_conflict_still_reads_as_a_decider(
    world, manager, submitted, colleagues_review
):
    own = review(submitted, manager, conflict=True)

    assert access.sees_others_reviews(manager, submitted) is True
    assert sorted(r.pk for r in access.reviews_visible_to(manager)) == sorted(
        [colleagues_review.pk, own.pk]
    )
