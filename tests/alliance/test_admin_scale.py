"""The big admin lists (applications, the outbox) never count and make constant queries."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.mail.models import EmailMessage, EmailStatus
from exchanges.models import Application, State
from tests.factories import ApplicationFactory, ProgrammeFactory, StartupFactory, UserFactory

pytestmark = pytest.mark.django_db

APPLICATIONS = "admin:exchanges_application_changelist"
OUTBOX = "admin:mail_emailmessage_changelist"


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def programme():
    return ProgrammeFactory(slug="tel-aviv-exchange")


def applications(programme, n: int) -> list[Application]:
    made = []
    for k in range(n):
        startup = StartupFactory(name=f"Solar Harbour {k}" if k % 2 else f"Blue Lake {k}")
        made.append(
            ApplicationFactory(
                programme=programme,
                startup=startup,
                state=State.SUBMITTED if k % 2 else State.IN_REVIEW,
                updated_at=timezone.now() - datetime.timedelta(minutes=k),
            )
        )
    return made


def emails(n: int) -> None:
    EmailMessage.objects.bulk_create(
        EmailMessage(
            recipient=f"founder{k}@example.com",
            language="de" if k % 2 else "en",
            template_key="exchanges/email/application_submitted",
            subject="Submitted",
            body_text="Thank you.",
            message_id=f"<{k}@startalliance.example>",
            status=EmailStatus.FAILED if k % 2 else EmailStatus.SENT,
        )
        for k in range(n)
    )


def captured_sql(client, url: str, query: dict) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    return response, [q["sql"].upper() for q in captured.captured_queries]


APPLICATION_QUERIES = [
    ("default", {}),
    ("state", {"state__exact": State.SUBMITTED}),
    ("programme", {"programme__id__exact": "PROGRAMME"}),
    ("pending decision", {"pending_decision__exact": "accept"}),
    ("search", {"q": "solar"}),
]


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize("query", APPLICATION_QUERIES, ids=lambda q: q[0])
def test_the_application_list_makes_the_same_queries_for_5_and_50_rows(
    superuser_client, django_assert_num_queries, programme, rows, query
):
    applications(programme, rows)
    params = {k: programme.pk if v == "PROGRAMME" else v for k, v in query[1].items()}

    superuser_client.get(reverse(APPLICATIONS))  # the session and its user are cached now
    # The programmes of the filter, the page's rows.
    with django_assert_num_queries(2):
        response = superuser_client.get(reverse(APPLICATIONS), params)

    assert response.status_code == 200


@pytest.mark.parametrize("query", APPLICATION_QUERIES, ids=lambda q: q[0])
def test_the_application_list_neither_counts_nor_reads_distinct_values(
    superuser_client, programme, query
):
    applications(programme, 3)
    params = {k: programme.pk if v == "PROGRAMME" else v for k, v in query[1].items()}

    response, statements = captured_sql(superuser_client, reverse(APPLICATIONS), params)

    assert response.status_code == 200
    assert [s for s in statements if "COUNT(" in s] == []
    assert [s for s in statements if "DISTINCT" in s] == []


def test_the_application_list_shows_what_the_filters_and_the_search_find(
    superuser_client, programme
):
    applications(programme, 4)  # Blue Lake 0 and 2 in review, Solar Harbour 1 and 3 submitted
    url = reverse(APPLICATIONS)

    searched = superuser_client.get(url, {"q": "harbour"})
    filtered = superuser_client.get(url, {"state__exact": State.IN_REVIEW})

    assert [str(a.startup) for a in searched.context["cl"].result_list] == [
        "Solar Harbour 1",
        "Solar Harbour 3",
    ]
    assert [str(a.startup) for a in filtered.context["cl"].result_list] == [
        "Blue Lake 0",
        "Blue Lake 2",
    ]
    assert "2 applications" in searched.content.decode()  # one page: the number is known


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status__exact": EmailStatus.FAILED},
        {"template_key": "exchanges/email/application_submitted"},
        {"language": "de"},
        {"created_at__gte": "DAY_AGO"},
        {"q": "founder3@example.com"},
    ],
    ids=lambda q: next(iter(q), "default"),
)
def test_the_outbox_makes_the_same_queries_for_5_and_50_rows_and_never_counts(
    superuser_client, django_assert_num_queries, rows, query
):
    emails(rows)
    day_ago = str(timezone.now() - datetime.timedelta(days=1))
    params = {k: day_ago if v == "DAY_AGO" else v for k, v in query.items()}

    superuser_client.get(reverse(OUTBOX))  # the session and its user are cached now
    # The page's rows.
    with django_assert_num_queries(1) as captured:
        response = superuser_client.get(reverse(OUTBOX), params)

    statements = [q["sql"].upper() for q in captured.captured_queries]
    assert response.status_code == 200
    assert [s for s in statements if "COUNT(" in s or "DISTINCT" in s] == []


def test_the_outbox_filters_by_its_known_lists(superuser_client):
    emails(4)  # 1 and 3 failed and in German

    failed = superuser_client.get(reverse(OUTBOX), {"status__exact": EmailStatus.FAILED})
    page = superuser_client.get(reverse(OUTBOX)).content.decode()

    assert [m.recipient for m in failed.context["cl"].result_list] == [
        "founder3@example.com",
        "founder1@example.com",
    ]
    assert "?template_key=exchanges%2Femail%2Fapplication_accepted" in page  # never sent yet
    assert "?template_key=account%2Femail%2Fpassword_reset_key" in page
    assert "?language=de" in page
    assert "created_at__gte=" in page


@pytest.fixture
def two_per_page(monkeypatch):
    monkeypatch.setattr(admin.site._registry[Application], "list_per_page", 2)


def test_the_pages_link_to_the_next_and_the_previous(superuser_client, programme, two_per_page):
    applications(programme, 5)
    url = reverse(APPLICATIONS)

    first = superuser_client.get(url)
    middle = superuser_client.get(url, {"p": "2"})
    last = superuser_client.get(url, {"p": "3"})

    names = [[str(a.startup) for a in r.context["cl"].result_list] for r in (first, middle, last)]
    assert names == [
        ["Blue Lake 0", "Solar Harbour 1"],
        ["Blue Lake 2", "Solar Harbour 3"],
        ["Blue Lake 4"],
    ]
    first, middle, last = (r.content.decode() for r in (first, middle, last))
    assert ('href="?p=2" rel="next"' in first, 'rel="prev"' in first) == (True, False)
    assert 'href="?p=1" rel="prev"' in middle
    assert 'href="?p=3" rel="next"' in middle
    assert ('rel="prev"' in last, 'rel="next"' in last) == (True, False)
    assert "page 2" in middle
    assert "2 applications on this page" in middle


def test_the_actions_select_within_the_page(superuser_client, programme, two_per_page):
    applications(programme, 5)

    response = superuser_client.get(reverse(APPLICATIONS))

    page = response.content.decode()
    assert "0 of 2 selected" in page
    assert "Select all 2" not in page  # no selection across pages it cannot count
    assert "question hidden" not in page
    assert 'id="action-toggle"' in page


@pytest.mark.parametrize(("given", "shown"), [("abc", 1), ("0", 1), ("-3", 1), ("1.5", 1), ("", 1)])
def test_a_page_number_that_is_not_one_shows_the_first_page(
    superuser_client, programme, two_per_page, given, shown
):
    applications(programme, 5)

    response = superuser_client.get(reverse(APPLICATIONS), {"p": given})

    assert response.status_code == 200
    assert response.context["cl"].page_num == shown
    assert [str(a.startup) for a in response.context["cl"].result_list] == [
        "Blue Lake 0",
        "Solar Harbour 1",
    ]


@pytest.mark.parametrize("given", ["4", "99999999999999999999"])
def test_a_page_past_the_end_says_so_and_links_to_the_first(
    superuser_client, programme, two_per_page, given
):
    applications(programme, 5)

    response = superuser_client.get(reverse(APPLICATIONS), {"p": given})

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["cl"].result_list == []
    assert "There are no applications on page" in page
    assert 'href="?">Go to the first page' in page
    assert 'rel="prev"' in page


def test_a_reviewer_sees_only_their_programmes_in_the_filter(client, programme):
    other = ProgrammeFactory(title_en="Dubai Landing")
    reviewer = UserFactory(is_staff=True)
    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "review_application"])
    )
    second = ProgrammeFactory(title_en="Vienna Residency")  # one choice alone is not shown
    for assigned in (programme, second):
        assigned.reviewers.add(reviewer)
    applications(programme, 1)
    ApplicationFactory(programme=other)
    client.force_login(reviewer)

    response = client.get(reverse(APPLICATIONS))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"?programme__id__exact={programme.pk}" in page
    assert f"?programme__id__exact={second.pk}" in page
    assert f"?programme__id__exact={other.pk}" not in page
    assert [a.programme_id for a in response.context["cl"].result_list] == [programme.pk]
