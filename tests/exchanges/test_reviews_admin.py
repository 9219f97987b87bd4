"""The review admin: the form, who reads which reviews, the queue, sorting by the summary."""

import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exchanges.admin.applications import ApplicationAdmin
from exchanges.models import Application, Review, ReviewCriterion, State
from startups.models import Role
from tests.admin_forms import change_form_data
from tests.exchanges.conftest import make_application
from tests.exchanges.test_reviews import review, reviewer_of, summary
from tests.factories import ApplicationFactory, MembershipFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:exchanges_review_add")
LIST = reverse("admin:exchanges_review_changelist")
QUEUE = reverse("admin:exchanges_review_queue")


def defaults():
    return list(ReviewCriterion.objects.defaults().order_by("position"))


def form_data(*values, conflict="no", abstained=False, comment="Solid."):
    data = {"conflict_of_interest": conflict, "comment": comment}
    if abstained:
        data["abstained"] = "on"
    for criterion, value in zip(defaults(), values, strict=False):
        data[f"score_{criterion.pk}"] = str(value)
    return data


def errors(response) -> list[str]:
    """The texts of the form's error messages, in page order."""
    blocks = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode())
    return [item for block in blocks for item in re.findall(r"<li>(.*?)</li>", block)]


def changelist_rows(response) -> list[str]:
    return [str(review) for review in response.context["cl"].result_list]


@pytest.fixture
def submitted(world):
    return make_application(world, State.SUBMITTED)


@pytest.fixture
def reviewer(world):
    return reviewer_of(world.programme, email="anna@berlin-partner.example")


def test_the_form_shows_the_application_and_one_choice_per_criterion(
    client, world, submitted, reviewer
):
    ReviewCriterion.objects.defaults().filter(name_en="Team").update(weight=3)
    client.force_login(reviewer)

    response = client.get(f"{ADD}?application={submitted.pk}")

    page = response.content.decode()
    assert response.status_code == 200
    assert world.startup.name in page
    assert str(world.programme) in page
    for label in ("Team (weight 3)", "Product (weight 1)", "Market fit (weight 1)"):
        assert label in page
    assert "Readiness (weight 1)" in page
    assert "Do you have a conflict of interest with this start-up?" in page
    assert 'name="conflict_of_interest"' in page
    assert "checked" not in page  # no score and no declaration preselected


@pytest.mark.parametrize("existing", [False, True], ids=["add", "change"])
def test_the_form_reads_the_criteria_once(client, world, submitted, reviewer, existing):
    url = f"{ADD}?application={submitted.pk}"
    if existing:
        own = review(submitted, reviewer, 3, 3, 3, 3)
        url = reverse("admin:exchanges_review_change", args=[own.pk])
    client.force_login(reviewer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    criteria_reads = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "exchanges_reviewcriterion"')
    ]
    assert len(criteria_reads) == 1


def test_saving_the_form_saves_the_review_through_the_service(client, world, submitted, reviewer):
    client.force_login(reviewer)

    response = client.post(f"{ADD}?application={submitted.pk}", form_data(5, 4, 4, 3))

    assert response.status_code == 302
    assert response.url == QUEUE
    saved = Review.objects.get()
    assert (saved.reviewer, saved.score, saved.comment) == (reviewer, Decimal("4.00"), "Solid.")
    assert summary(submitted) == (1, Decimal("4.00"), Decimal("0.00"))
    entries = LogEntry.objects.filter(content_type__model="review", object_pk=str(saved.pk))
    assert list(entries.values_list("action", "actor")) == [(LogEntry.Action.CREATE, reviewer.pk)]
    assert LogEntry.objects.filter(content_type__model="score", actor=reviewer).count() == 4


def test_a_missing_score_is_a_form_error(client, world, submitted, reviewer):
    client.force_login(reviewer)

    response = client.post(f"{ADD}?application={submitted.pk}", form_data(5, 4, 4))

    assert response.status_code == 200
    assert errors(response) == ["Give a score from 1 to 5, or abstain."]
    assert Review.objects.count() == 0
    assert summary(submitted) == (0, None, None)


def test_the_declaration_is_required(client, world, submitted, reviewer):
    client.force_login(reviewer)
    data = form_data(5, 4, 4, 3)
    del data["conflict_of_interest"]

    response = client.post(f"{ADD}?application={submitted.pk}", data)

    assert errors(response) == ["This field is required."]
    assert Review.objects.count() == 0


def test_a_declared_conflict_needs_no_scores_and_abstains(client, world, submitted, reviewer):
    client.force_login(reviewer)

    client.post(f"{ADD}?application={submitted.pk}", form_data(conflict="yes", comment=""))

    saved = Review.objects.get()
    assert (saved.conflict_of_interest, saved.abstained, saved.score) == (True, True, None)


def test_a_member_of_the_startup_gets_a_form_error(client, world, submitted, reviewer):
    MembershipFactory(startup=world.startup, user=reviewer, role=Role.MEMBER)
    client.force_login(reviewer)

    posted = client.post(f"{ADD}?application={submitted.pk}", form_data(5, 5, 5, 5))
    opened = client.get(f"{ADD}?application={submitted.pk}", follow=True)

    message = "You belong to this start-up: you cannot review its application."
    assert posted.status_code == 200
    assert errors(posted) == [message]
    assert opened.redirect_chain == [(QUEUE, 302)]
    assert [str(m) for m in opened.context["messages"]] == [message]
    assert Review.objects.count() == 0


def test_an_unassigned_reviewer_cannot_open_the_application(client, world, submitted):
    outsider = reviewer_of(ProgrammeFactory())
    client.force_login(outsider)

    response = client.get(f"{ADD}?application={submitted.pk}", follow=True)

    assert response.redirect_chain == [(QUEUE, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Choose an application to review from your queue."
    ]


def test_editing_shows_the_review_prefilled_and_updates_the_summary(
    client, world, submitted, reviewer
):
    mine = review(submitted, reviewer, 2, 3, 4, 5, comment="First read.")
    client.force_login(reviewer)
    change = reverse("admin:exchanges_review_change", args=[mine.pk])
    team = defaults()[0]

    opened = client.get(change)
    saved = client.post(change, form_data(4, 4, 4, 4, comment="Second read."))

    form = opened.context["adminform"].form
    assert (form[f"score_{team.pk}"].value(), form["conflict_of_interest"].value()) == (2, "no")
    assert re.search(rf'name="score_{team.pk}" value="2"[^>]*checked', opened.content.decode())
    assert saved.status_code == 302
    assert Review.objects.get().comment == "Second read."
    assert summary(submitted) == (1, Decimal("4.00"), Decimal("0.00"))


def test_after_the_announcement_a_review_is_read_only(client, world, submitted, reviewer):
    mine = review(submitted, reviewer, 2, 3, 4, 5, comment="First read.")
    world.programme.decisions_announced_at = timezone.now()
    world.programme.save(update_fields=["decisions_announced_at"])
    client.force_login(reviewer)
    change = reverse("admin:exchanges_review_change", args=[mine.pk])

    opened = client.get(change)
    posted = client.post(change, form_data(5, 5, 5, 5))

    assert opened.status_code == 200
    assert 'name="_save"' not in opened.content.decode()
    assert "First read." in opened.content.decode()
    assert "Team: 2, Product: 3, Market fit: 4, Readiness: 5" in opened.content.decode()
    assert posted.status_code == 403
    assert Review.objects.get().score == Decimal("3.50")


def test_others_reviews_are_hidden_until_ones_own_is_in(client, world, submitted, reviewer):
    colleague = reviewer_of(world.programme, email="ben@berlin-partner.example")
    theirs = review(submitted, colleague, 1, 1, 1, 1, comment="Not convinced.")
    theirs_page = reverse("admin:exchanges_review_change", args=[theirs.pk])
    client.force_login(reviewer)

    list_before = client.get(LIST)
    page_before = client.get(theirs_page)
    client.post(f"{ADD}?application={submitted.pk}", form_data(5, 5, 5, 5))
    list_after = client.get(LIST)
    page_after = client.get(theirs_page)

    assert changelist_rows(list_before) == []
    assert page_before.status_code == 302
    assert page_before.url == reverse("admin:index")
    assert sorted(r.reviewer.email for r in list_after.context["cl"].result_list) == [
        "anna@berlin-partner.example",
        "ben@berlin-partner.example",
    ]
    assert page_after.status_code == 200
    assert "Not convinced." in page_after.content.decode()
    assert 'name="_save"' not in page_after.content.decode()  # another's review: read only


def test_reviews_of_programmes_one_does_not_review_stay_hidden(client, world, submitted):
    elsewhere = ProgrammeFactory()
    outsider = reviewer_of(elsewhere)
    review(submitted, reviewer_of(world.programme), 3, 3, 3, 3)
    client.force_login(outsider)

    response = client.get(LIST)

    assert changelist_rows(response) == []


def test_the_review_list_shows_its_columns_in_constant_queries(
    client, world, reviewer, django_assert_num_queries
):
    client.force_login(reviewer)

    def add(count):
        for _ in range(count):
            application = make_application(
                world, State.SUBMITTED, startup=MembershipFactory().startup
            )
            review(application, reviewer, 3, 3, 3, 4)

    add(1)
    client.get(LIST)  # viewed before: the session and its user come from the cache
    with django_assert_num_queries(4):
        one = client.get(LIST)
    add(9)
    with django_assert_num_queries(4):
        ten = client.get(LIST)

    assert (len(one.context["cl"].result_list), len(ten.context["cl"].result_list)) == (1, 10)
    page = ten.content.decode()
    columns = ("application", "reviewer", "score", "abstained", "conflict_of_interest")
    for column in (*columns, "updated_at"):
        assert f'class="sortable column-{column}' in page
    assert "3.25" in page
    assert f'href="{QUEUE}"' in page


def test_the_queue_shows_exactly_whats_left_in_constant_queries(
    client, world, reviewer, django_assert_num_queries
):
    client.force_login(reviewer)
    reviewed = make_application(world, State.SUBMITTED, startup=named("Reviewed"))
    review(reviewed, reviewer, 3, 3, 3, 3)
    make_application(world, State.DRAFT, startup=named("Draft"))
    make_application(world, State.REJECTED, startup=named("Rejected"))
    make_application(
        world,
        State.SUBMITTED,
        startup=MembershipFactory(user=reviewer, startup__name="Own").startup,
    )
    announced = ProgrammeFactory(decisions_announced_at=timezone.now())
    announced.reviewers.add(reviewer)
    ApplicationFactory(programme=announced, state=State.SUBMITTED, startup=named("Announced"))
    ApplicationFactory(programme=ProgrammeFactory(), state=State.SUBMITTED, startup=named("Else"))
    make_application(world, State.WAITLISTED, startup=named("Queued 0"), rank=1)

    client.get(QUEUE)  # viewed before: the session and its user come from the cache
    with django_assert_num_queries(4):
        one = client.get(QUEUE)
    for number in range(1, 10):
        make_application(world, State.SHORTLISTED, startup=named(f"Queued {number}"))
    with django_assert_num_queries(4):
        ten = client.get(QUEUE)

    assert queued(one) == ["Queued 0"]
    assert queued(ten) == [f"Queued {number}" for number in range(10)]
    first = Application.objects.get(startup__name="Queued 0")
    assert f'href="{ADD}?application={first.pk}"' in one.content.decode()
    assert "<td>0</td>" in one.content.decode()  # no reviews so far


def named(name):
    return MembershipFactory(startup__name=name).startup


def queued(response) -> list[str]:
    return [application.startup.name for application in response.context["page"].object_list]


def test_the_application_list_sorts_by_the_reviews_summary(client, world):
    admin_user = reviewer_of(world.programme)
    admin_user.is_superuser = True
    admin_user.save()
    scored = {}
    for name, values in (("Low", (1, 1, 2, 2)), ("High", (5, 5, 5, 4)), ("Mid", (3, 3, 3, 3))):
        application = make_application(
            world, State.SUBMITTED, startup=MembershipFactory(startup__name=name).startup
        )
        review(application, reviewer_of(world.programme), *values)
        scored[name] = application
    client.force_login(admin_user)
    column = ApplicationAdmin.list_display.index("review_score") + 1

    ascending = client.get(reverse("admin:exchanges_application_changelist"), {"o": column})
    descending = client.get(reverse("admin:exchanges_application_changelist"), {"o": -column})

    def names(response):
        return [application.startup.name for application in response.context["cl"].result_list]

    assert names(ascending) == ["Low", "Mid", "High"]
    assert names(descending) == ["High", "Mid", "Low"]


def test_the_application_page_links_to_the_review_form(client, world, submitted, reviewer):
    client.force_login(reviewer)

    before = client.get(reverse("admin:exchanges_application_change", args=[submitted.pk]))
    mine = review(submitted, reviewer, 3, 3, 3, 3)
    after = client.get(reverse("admin:exchanges_application_change", args=[submitted.pk]))

    assert f'href="{ADD}?application={submitted.pk}"' in before.content.decode()
    change = reverse("admin:exchanges_review_change", args=[mine.pk])
    assert f'href="{change}"' in after.content.decode()


def test_a_reviewer_deletes_their_own_review_only(client, world, submitted, reviewer):
    colleague = reviewer_of(world.programme)
    theirs = review(submitted, colleague, 1, 1, 1, 1)
    mine = review(submitted, reviewer, 5, 5, 5, 5)
    client.force_login(reviewer)

    refused = client.post(
        reverse("admin:exchanges_review_delete", args=[theirs.pk]), {"post": "yes"}
    )
    deleted = client.post(reverse("admin:exchanges_review_delete", args=[mine.pk]), {"post": "yes"})

    assert refused.status_code == 403
    assert deleted.status_code == 302
    assert list(Review.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert summary(submitted) == (1, Decimal("1.00"), Decimal("0.00"))


def test_the_default_criteria_are_for_administrators(client, world, reviewer):
    ReviewCriterion.objects.create(programme=world.programme, name_en="Own", name_de="Eigen")
    administrator = reviewer_of(world.programme)
    administrator.is_superuser = True
    administrator.save()
    url = reverse("admin:exchanges_reviewcriterion_changelist")

    client.force_login(reviewer)
    as_reviewer = client.get(url)
    client.force_login(administrator)
    as_administrator = client.get(url)

    assert as_reviewer.status_code == 403
    assert [str(c) for c in as_administrator.context["cl"].result_list] == [
        "Team",
        "Product",
        "Market fit",
        "Readiness",
    ]


def test_a_manager_reads_every_review_of_their_programme(client, world, submitted):
    manager = reviewer_of(ProgrammeFactory())
    manager.user_permissions.add(*Permission.objects.filter(codename="decide_application"))
    world.programme.managers.add(manager)
    review(submitted, reviewer_of(world.programme, email="ben@berlin-partner.example"), 2, 2, 2, 2)
    client.force_login(manager)

    response = client.get(LIST)

    assert [r.reviewer.email for r in response.context["cl"].result_list] == [
        "ben@berlin-partner.example"
    ]


@pytest.mark.parametrize("value", ["", "x", "99999999999999999999999", "²", "-1"])
def test_a_bad_application_parameter_leads_to_the_queue(client, reviewer, value):
    client.force_login(reviewer)

    response = client.get(ADD, {"application": value})

    assert (response.status_code, response.url) == (302, QUEUE)


# Criteria stay as they were once reviews exist

PROGRAMME_LOCKED = (
    "This programme has reviews: its criteria can no longer be added, reweighted or deleted."
)
DEFAULTS_LOCKED = (
    "Reviews have scored the network's default criteria: they can no longer be added, "
    "reweighted or deleted."
)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def programme_url(programme) -> str:
    return reverse("admin:exchanges_exchangeprogramme_change", args=[programme.pk])


def own_criterion(programme, name="Impact", weight=2):
    return ReviewCriterion.objects.create(
        programme=programme, name_en=name, name_de=name, weight=weight, position=1
    )


def with_new_criterion(data: dict) -> dict:
    total = int(data["criteria-TOTAL_FORMS"])
    return {
        **data,
        "criteria-TOTAL_FORMS": str(total + 1),
        f"criteria-{total}-position": "2",
        f"criteria-{total}-name_en": "Speed",
        f"criteria-{total}-name_de": "Tempo",
        f"criteria-{total}-weight": "1",
    }


@pytest.mark.parametrize(
    ("change", "abstained"),
    [
        (with_new_criterion, False),
        (lambda data: {**data, "criteria-0-weight": "5"}, False),
        # Abstaining: no score protects the criterion from deletion, the rule does.
        (lambda data: {**data, "criteria-0-DELETE": "on"}, True),
    ],
    ids=["add", "reweight", "delete"],
)
def test_a_programmes_criteria_are_locked_once_it_has_reviews(
    superuser_client, world, submitted, change, abstained
):
    criterion = own_criterion(world.programme)
    values = () if abstained else (4,)
    review(submitted, reviewer_of(world.programme), *values, names=("Impact",), abstained=abstained)
    page = superuser_client.get(programme_url(world.programme))

    response = superuser_client.post(
        programme_url(world.programme),
        change(change_form_data(page, seats="9")),
    )

    assert response.status_code == 200
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    assert formsets["criteria"].non_form_errors() == [PROGRAMME_LOCKED]
    criterion.refresh_from_db()
    world.programme.refresh_from_db()
    assert (world.programme.seats, criterion.weight) == (2, 2)
    assert list(world.programme.criteria.values_list("name_en", flat=True)) == ["Impact"]


def test_a_programmes_criteria_are_renamed_and_changed_before_reviews(
    superuser_client, world, submitted
):
    criterion = own_criterion(world.programme)
    page = superuser_client.get(programme_url(world.programme))

    response = superuser_client.post(
        programme_url(world.programme),
        with_new_criterion({**change_form_data(page), "criteria-0-weight": "3"}),
    )

    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.weight == 3
    assert sorted(world.programme.criteria.values_list("name_en", flat=True)) == [
        "Impact",
        "Speed",
    ]


def test_a_programmes_criteria_are_renamed_after_reviews(superuser_client, world, submitted):
    criterion = own_criterion(world.programme)
    review(submitted, reviewer_of(world.programme), 4, names=("Impact",))
    page = superuser_client.get(programme_url(world.programme))

    response = superuser_client.post(
        programme_url(world.programme),
        {**change_form_data(page), "criteria-0-name_en": "Social impact"},
    )

    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.name_en, criterion.weight) == ("Social impact", 2)


def test_the_default_criteria_are_locked_once_reviews_scored_them(
    superuser_client, world, submitted
):
    team = defaults()[0]
    review(submitted, reviewer_of(world.programme), 3, 3, 3, 3)
    change = reverse("admin:exchanges_reviewcriterion_change", args=[team.pk])
    page = superuser_client.get(change)

    reweighted = superuser_client.post(change, {**change_form_data(page), "weight": "4"})
    renamed = superuser_client.post(change, {**change_form_data(page), "name_en": "The team"})
    added = superuser_client.post(
        reverse("admin:exchanges_reviewcriterion_add"),
        {"position": "9", "name_en": "Speed", "name_de": "Tempo", "weight": "1"},
    )
    deleted = superuser_client.post(
        reverse("admin:exchanges_reviewcriterion_delete", args=[team.pk]),
        {"post": "yes"},
        follow=True,
    )

    assert reweighted.context["adminform"].form.non_field_errors() == [DEFAULTS_LOCKED]
    assert added.context["adminform"].form.non_field_errors() == [DEFAULTS_LOCKED]
    assert renamed.status_code == 302
    assert [str(m) for m in deleted.context["messages"]] == [DEFAULTS_LOCKED]
    assert list(ReviewCriterion.objects.defaults().values_list("name_en", "weight")) == [
        ("The team", 1),
        ("Product", 1),
        ("Market fit", 1),
        ("Readiness", 1),
    ]
