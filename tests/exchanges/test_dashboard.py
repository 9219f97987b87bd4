"""The pipeline dashboard on the admin index: open programmes' numbers, for those who see them."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from exchanges.models import ProgrammeStatus, State, Verb
from tests.exchanges.conftest import staff_user
from tests.factories import ApplicationFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
CONFIRM_BY = datetime.datetime(2030, 3, 4, 12, 0, tzinfo=datetime.UTC)


def figures(html: str, programme) -> dict[str, str]:
    article = re.search(
        rf'<article[^>]*id="pipeline-{programme.pk}".*?</article>', html, re.DOTALL
    ).group(0)
    found = dict(re.findall(r'data-figure="([^"]+)">(.*?)</dd>', article, re.DOTALL))
    found.update(re.findall(r'data-state="([^"]+)">(\d+)</td>', article))
    found["bars"] = re.findall(r'<svg role="img" aria-label="([^"]*)"', article)
    return found


def pipeline_ids(html: str) -> list[str]:
    return re.findall(r'<article[^>]*id="pipeline-(\d+)"', html)


@pytest.fixture
def open_programme():
    """Five seats: one accepted, one confirmed, three waiting, one staged to accept."""
    programme = ProgrammeFactory(
        seats=5,
        title_en="Vienna Exchange",
        applications_close_at=datetime.datetime(2030, 1, 15, 11, 0, tzinfo=datetime.UTC),
    )
    ApplicationFactory(programme=programme, state=State.DRAFT)
    for state, fields in [
        (State.SUBMITTED, {"pending_decision": Verb.ACCEPT}),
        (State.SUBMITTED, {"review_count": 2}),
        (State.IN_REVIEW, {}),
        (State.WAITLISTED, {"rank": 1, "review_count": 1}),
        (State.ACCEPTED, {"confirm_by": CONFIRM_BY}),
        (State.CONFIRMED, {"confirm_by": CONFIRM_BY}),
        (State.REJECTED, {}),
    ]:
        ApplicationFactory(programme=programme, state=state, **fields)
    return programme


def test_the_dashboard_shows_an_open_programmes_numbers(client, open_programme):
    client.force_login(staff_user())

    html = client.get(INDEX).content.decode()

    found = figures(html, open_programme)
    assert {key: value for key, value in found.items() if key not in {"call-closes", "bars"}} == {
        "submitted": "2",
        "in_review": "1",
        "shortlisted": "0",
        "waitlisted": "1",
        "accepted": "1",
        "rejected": "1",
        "confirmed": "1",
        "expired": "0",
        "withdrawn": "0",
        "draft": "1",
        "seats": "5",
        "held": "2",
        "free": "3",
        "staged": "1 (1 acceptance)",
        "reviews-missing": "2",  # the one submitted and the one in review nobody reviewed
        "confirmations": "1 awaiting, the first by 4 March 2030, 13:00",
    }
    assert found["call-closes"].startswith("15 January 2030, 12:00 (in ")  # Berlin time
    assert found["bars"] == [
        (
            "Applications by state: 2 submitted, 1 in review, 1 waitlisted, 1 accepted, "
            "1 rejected, 1 confirmed"
        ),
        "Seats: 2 held, 1 staged for acceptance, 3 free of 5",
    ]
    assert reverse("admin:exchanges_exchangeprogramme_board", args=[open_programme.pk]) in html
    assert "<script" not in re.search(
        r'<section class="pipeline-dashboard".*?</section>', html, re.DOTALL
    ).group(0)


def test_only_open_programmes_are_shown(client, open_programme):
    now = timezone.now()
    closed_and_decided = ProgrammeFactory(
        applications_open_at=now - datetime.timedelta(days=40),
        applications_close_at=now - datetime.timedelta(days=10),
    )
    ApplicationFactory(programme=closed_and_decided, state=State.REJECTED)
    closed_with_work = ProgrammeFactory(
        applications_open_at=now - datetime.timedelta(days=40),
        applications_close_at=now - datetime.timedelta(days=10),
    )
    ApplicationFactory(programme=closed_with_work, state=State.SHORTLISTED)
    ProgrammeFactory(status=ProgrammeStatus.DRAFT)
    client.force_login(staff_user())

    html = client.get(INDEX).content.decode()

    assert pipeline_ids(html) == [str(closed_with_work.pk), str(open_programme.pk)]
    assert figures(html, closed_with_work)["call-closes"] == "closed"


def test_a_manager_sees_only_their_programmes(client, open_programme):
    mine = ProgrammeFactory(title_en="Tel Aviv Exchange")
    manager = staff_user(email="manager@berlin-partner.example")
    manager.user_permissions.remove(Permission.objects.get(codename="see_every_programme"))
    mine.managers.add(manager)
    client.force_login(manager)

    html = client.get(INDEX).content.decode()

    assert pipeline_ids(html) == [str(mine.pk)]
    assert figures(html, mine)["bars"] == [
        "Applications by state: none submitted",
        "Seats: 0 held, 0 staged for acceptance, 5 free of 5",
    ]


def test_staff_who_see_no_programme_get_no_dashboard(client, open_programme):
    client.force_login(UserFactory(is_staff=True))

    html = client.get(INDEX).content.decode()

    assert 'id="pipeline"' not in html
    assert "Berlin Partner staff" in html


def test_the_dashboard_query_count_stays_the_same_as_programmes_grow(
    client, django_assert_num_queries
):
    client.force_login(staff_user())
    ApplicationFactory(programme=ProgrammeFactory(), state=State.SUBMITTED)
    client.get(INDEX)

    with django_assert_num_queries(6):
        html = client.get(INDEX).content.decode()
    assert len(pipeline_ids(html)) == 1
    for _ in range(4):
        ApplicationFactory(programme=ProgrammeFactory(), state=State.IN_REVIEW)
    with django_assert_num_queries(6):
        html = client.get(INDEX).content.decode()
    assert len(pipeline_ids(html)) == 5
