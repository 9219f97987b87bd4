"""The admin page of one application: everything staff decide on, read-only, constant queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from exchanges.models import (
    ApplicationEvent,
    Recommendation,
    Review,
    ReviewCriterion,
    Score,
    State,
    Verb,
    Verdict,
)
from exchanges.partners.models import DataAccess
from startups.models import Role, Sector, Stage
from tests.exchanges.conftest import make_application, staff_user
from tests.factories import MembershipFactory, QuestionFactory, UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

CONSENT = "I agree that Berlin Partner shares this application with Organisation X."


def page_url(application) -> str:
    return reverse("admin:exchanges_application_change", args=[application.pk])


@pytest.fixture
def decider(world):
    user = staff_user(email="manager@berlin-partner.example", name="Mara Manager")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="partners", codename="view_dataaccess")
    )
    return user


@pytest.fixture
def full_application(world):
    """A submitted application with something in every section."""
    startup = world.startup
    startup.name = "Kiezkraft"
    startup.website = "https://kiezkraft.example"
    startup.sector = Sector.CLEANTECH
    startup.stage = Stage.PRE_SEED
    startup.founded_year, startup.founded_month = 2023, 5
    startup.team_size = 7
    startup.pitch = "Solar roofs for Berlin's backyards."
    startup.save()
    world.owner.name = "Olga Owner"
    world.owner.save()
    world.member.name = "Milan Member"
    world.member.save()
    programme = world.programme
    programme.max_company_age_years = 5
    programme.requires_product_launched = True
    programme.save()
    second = QuestionFactory(programme=programme, text_en="What is your revenue?", position=2)
    first = QuestionFactory(programme=programme, text_en="Who is your first customer?", position=1)
    QuestionFactory(programme=programme, text_en="Do you need a visa?", position=3, kind="yes_no")
    application = make_application(
        world,
        State.IN_REVIEW,
        motivation="Berlin is where our customers are.",
        goals="Sign three housing associations.",
        needs=["office", "visa"],
        pitch_deck="pitch-decks/kiezkraft-deck.pdf",
        consent_at=datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC),  # 10:30 in Berlin
        consent_text=CONSENT,
        review_count=1,
        review_score=Decimal("3.75"),
        review_spread=Decimal("0.00"),
    )
    application.answers.create(question=first, value="Degewo, since May.")
    application.answers.create(question=second, value="   ")  # blank: not answered
    ApplicationEvent.objects.create(
        application=application,
        verb=Verb.START_REVIEW,
        from_state=State.SUBMITTED,
        to_state=State.IN_REVIEW,
        actor=world.staff,
        comment="Promising, let us look closer.",
    )
    reviewer = UserFactory(is_staff=True, name="Rita Reviewer")
    review = Review.objects.create(
        reviewer=reviewer,
        application=application,
        conflict_of_interest=False,
        score=Decimal("3.75"),
        comment="Strong founders, thin market study.",
    )
    team, product, *_ = ReviewCriterion.objects.defaults().order_by("position", "pk")
    Score.objects.create(review=review, criterion=team, value=5)
    Score.objects.create(review=review, criterion=product, value=2)
    Recommendation.objects.create(
        organisation=programme.host_organisation,
        application=application,
        verdict=Verdict.RECOMMEND,
        comment="We met them at our demo day.",
    )
    now = timezone.now()
    DataAccess.objects.create(
        organisation=programme.host_organisation,
        application=application,
        day=datetime.date(2026, 3, 5),
        profile=True,
        first_at=now,
        last_at=now,
    )
    return application


def test_the_page_shows_the_startup_and_its_team(client, decider, full_application):
    client.force_login(decider)

    text = text_of(client.get(page_url(full_application)))

    for shown in [
        "Start-up",
        "Kiezkraft",
        "cleantech and energy",
        "pre-seed",
        "May 2023",
        "https://kiezkraft.example",
        "team size 7",
        "product launched yes",
        "Solar roofs for Berlin's backyards.",
        "Olga Owner owner@startup.example owner",
        "Milan Member member@startup.example member",
    ]:
        assert shown in text


def test_the_page_shows_texts_needs_answers_in_order_and_the_pitch_deck(
    client, decider, full_application
):
    client.force_login(decider)

    response = client.get(page_url(full_application))

    text = text_of(response)
    assert "motivation Berlin is where our customers are." in text
    assert "goals in the market Sign three housing associations." in text
    assert "needs office space visa support" in text
    assert '"office"' not in response.content.decode()  # no raw JSON
    assert (
        "Who is your first customer? (required) Degewo, since May. "
        "What is your revenue? (required) not answered "
        "Do you need a visa? (required) not answered"
    ) in text
    html = response.content.decode()
    deck = "/private/pitch-decks/kiezkraft-deck.pdf"
    opened = f'<a href="{deck}?inline=1" target="_blank" rel="noopener">open the pitch deck</a>'
    assert opened in html
    assert f'<a href="{deck}" download>download the pitch deck</a>' in html


def test_the_page_shows_eligibility_rule_by_rule_and_consent(client, decider, full_application):
    client.force_login(decider)

    text = text_of(client.get(page_url(full_application)))

    assert "Company younger than 5 years met" in text
    assert "Product launched met" in text
    assert "Given on 2 March 2026, 10:30, in these words: " + CONSENT in text


def test_an_unmet_rule_is_named_with_its_problem(client, decider, world):
    world.programme.requires_product_launched = True
    world.programme.save()
    world.startup.product_launched = False
    world.startup.save()
    application = make_application(world, State.SUBMITTED)
    client.force_login(decider)

    text = text_of(client.get(page_url(application)))

    assert "Product launched not met : The programme needs a launched product." in text


def test_the_page_shows_history_reviews_recommendations_and_reads(
    client, decider, full_application
):
    client.force_login(decider)

    text = text_of(client.get(page_url(full_application)))

    assert "start review submitted in review" in text
    assert "Promising, let us look closer." in text
    assert "1 review · weighted average: 3.75 · spread: 0.00" in text
    assert "reviewer Team Product weighted score comment" in text
    assert "Rita Reviewer 5 2 3.75 Strong founders, thin market study." in text
    host = full_application.programme.host_organisation.name
    assert f"{host} recommend We met them at our demo day." in text
    assert "Read by partner organisations (the data-access ledger)" in text
    assert "5 March 2026" in text


def test_the_page_has_no_editable_field_and_no_hidden_application_field(
    client, decider, full_application
):
    client.force_login(decider)

    html = client.get(page_url(full_application)).content.decode()

    form = html[html.index('id="application_form"') :]
    assert re.findall(r"<textarea", form) == []
    hidden = re.findall(r'<input type="hidden" name="([^"]+)"', form)
    # Only the admin's own: the CSRF token, the action's selection, the inline's management.
    assert set(hidden) <= {
        "csrfmiddlewaretoken",
        "_selected_action",
        "CHANGE_FORM-select_across",
        "data_accesses-TOTAL_FORMS",
        "data_accesses-INITIAL_FORMS",
        "data_accesses-MIN_NUM_FORMS",
        "data_accesses-MAX_NUM_FORMS",
        "data_accesses-0-id",
        "data_accesses-0-application",
    }
    assert 'name="_save"' not in html


def test_the_page_refuses_a_save(client, decider, full_application):
    client.force_login(decider)

    response = client.post(page_url(full_application), {"motivation": "Changed", "_save": "1"})

    full_application.refresh_from_db()
    assert response.status_code == 403
    assert full_application.motivation == "Berlin is where our customers are."


def test_a_reviewer_without_a_review_sees_only_that_reviews_exist(client, world, full_application):
    reviewer = UserFactory(is_staff=True)
    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "review_application"])
    )
    world.programme.reviewers.add(reviewer)
    client.force_login(reviewer)

    text = text_of(client.get(page_url(full_application)))

    assert "1 review has been written. You see the reviews once you have written yours." in text
    assert "Strong founders" not in text
    assert "3.75" not in text


def test_a_reviewer_with_a_scored_review_sees_the_others(client, world, full_application):
    reviewer = UserFactory(is_staff=True, name="Ben Second")
    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "review_application"])
    )
    world.programme.reviewers.add(reviewer)
    Review.objects.create(
        reviewer=reviewer,
        application=full_application,
        conflict_of_interest=False,
        score=Decimal("4.00"),
        comment="Good timing for them.",
    )
    client.force_login(reviewer)

    text = text_of(client.get(page_url(full_application)))

    assert "Strong founders, thin market study." in text
    no_score = "\N{EN DASH}"
    assert f"Ben Second {no_score} {no_score} 4.00 Good timing for them." in text


def test_a_reviewer_who_declared_a_conflict_does_not_see_the_others(
    client, world, full_application
):
    reviewer = UserFactory(is_staff=True, name="Ben Second")
    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "review_application"])
    )
    world.programme.reviewers.add(reviewer)
    Review.objects.create(
        reviewer=reviewer,
        application=full_application,
        conflict_of_interest=True,
        abstained=True,
        comment="I advised them in 2024.",
    )
    client.force_login(reviewer)

    text = text_of(client.get(page_url(full_application)))

    assert "Strong founders" not in text
    assert "1 review has been written. You see the reviews once you have written yours." in text


def add_events(application, actor, count: int) -> None:
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=application,
            verb=Verb.START_REVIEW,
            from_state=State.SUBMITTED,
            to_state=State.IN_REVIEW,
            actor=UserFactory(is_staff=True) if actor is None else actor,
            comment=f"note {n}",
        )
        for n in range(count)
    )


@pytest.mark.parametrize("events", [1, 20])
def test_the_page_makes_the_same_queries_for_1_or_20_events(
    client, decider, full_application, django_assert_num_queries, events
):
    add_events(full_application, None, events)  # each by another staff member
    client.force_login(decider)

    with django_assert_num_queries(16):
        response = client.get(page_url(full_application))

    assert response.status_code == 200
    assert text_of(response).count("start review submitted in review") == events + 1


@pytest.mark.parametrize("members", [1, 10])
def test_the_page_makes_the_same_queries_for_1_or_10_members(
    client, decider, full_application, django_assert_num_queries, members
):
    for _ in range(members):
        MembershipFactory(startup=full_application.startup, role=Role.MEMBER)
    client.force_login(decider)

    with django_assert_num_queries(16):
        response = client.get(page_url(full_application))

    assert response.status_code == 200
    assert text_of(response).count("@example.com member") == members


def test_a_reviewer_of_the_programme_sees_which_partner_read_it(client, world, full_application):
    reviewer = UserFactory(is_staff=True)
    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "review_application"])
    )
    world.programme.reviewers.add(reviewer)
    client.force_login(reviewer)

    text = text_of(client.get(page_url(full_application)))
    ledger = client.get("/admin/partners/dataaccess/")

    assert "Read by partner organisations (the data-access ledger)" in text
    assert "5 March 2026" in text
    assert ledger.status_code == 403  # the ledger's own list spans every programme
