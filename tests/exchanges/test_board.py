"""The decision board: every submitted application of a programme, sorted, filtered, staged."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from exchanges.models import Application, Recommendation, State, Verb, Verdict
from tests.exchanges.conftest import make_application
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    StartupFactory,
)

pytestmark = pytest.mark.django_db

NONE = "\N{EN DASH}"  # an empty cell
SUBMITTED = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


class _Table(HTMLParser):
    """The rows of the table with id `board` as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self._in_table, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "board") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in {"td", "th"}:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif self._in_table and tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def board_rows(html: str) -> list[list[str]]:
    table = _Table()
    table.feed(html)
    return table.rows[1:]  # without the headings


def board_url(programme, **query) -> str:
    url = reverse("admin:exchanges_exchangeprogramme_board", args=[programme.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def cast(world):
    """Three submitted applications and a draft: Vienna (eligible), Lyon (not), Oslo."""
    vienna = CityFactory(slug="vienna", name_en="Vienna", name_de="Wien")
    lyon = CityFactory(slug="lyon", name_en="Lyon", name_de="Lyon")
    world.programme.eligible_origin_cities.set([vienna])
    world.startup.name, world.startup.city = "Alpaca Labs", vienna
    world.startup.save()
    alpaca = make_application(
        world,
        State.IN_REVIEW,
        submitted_at=SUBMITTED,
        review_count=2,
        review_score=Decimal("4.25"),
        review_spread=Decimal("1.00"),
    )
    Recommendation.objects.create(
        organisation=OrganisationFactory(name="Tel Aviv Global"),
        application=alpaca,
        verdict=Verdict.RECOMMEND,
    )
    bistro = make_application(
        world,
        State.SUBMITTED,
        startup=MembershipFactory(startup__name="Bistro Bots", startup__city=lyon).startup,
        submitted_at=SUBMITTED,
        review_count=1,
        review_score=Decimal("2.50"),
        review_spread=Decimal("0.00"),
    )
    comet = make_application(
        world,
        State.SHORTLISTED,
        startup=MembershipFactory(
            startup=StartupFactory(name="Comet Cargo", city=None, other_city="Oslo", country="NO")
        ).startup,
        pending_decision=Verb.ACCEPT,
        pending_comment="Strong team",
        submitted_at=SUBMITTED,
    )
    make_application(world, State.DRAFT, startup=MembershipFactory().startup)
    return {"alpaca": alpaca, "bistro": bistro, "comet": comet}


def names(response) -> list[str]:
    return [row[1] for row in board_rows(response.content.decode())]


def test_the_board_shows_every_submitted_application_with_its_figures(manager_client, world, cast):
    response = manager_client.get(board_url(world.programme))

    assert response.status_code == 200
    rows = board_rows(response.content.decode())
    # The checkbox cell is empty; default order: best weighted average first, none last.
    assert [row[1:] for row in rows] == [
        [
            "Alpaca Labs",
            "Vienna",
            "eligible",
            "2",
            "4.25",
            "1.00",
            "Tel Aviv Global: recommend",
            "in review",
            NONE,
            "02/11/2026",
        ],
        [
            "Bistro Bots",
            "Lyon",
            "not eligible: From Vienna",
            "1",
            "2.50",
            "0.00",
            NONE,
            "submitted",
            NONE,
            "02/11/2026",
        ],
        [
            "Comet Cargo",
            "Oslo",
            "not eligible: From Vienna",
            "0",
            NONE,
            NONE,
            NONE,
            "shortlisted",
            "accept Strong team",
            "02/11/2026",
        ],
    ]
    html = response.content.decode()
    assert reverse("admin:exchanges_application_change", args=[cast["alpaca"].pk]) in html
    assert re.search(r'id="seats-total">2<', html)
    assert re.search(r'id="seats-held">0<', html)
    assert re.search(r'id="seats-staged">1<', html)
    assert re.search(r'id="seats-free">2<', html)
    assert 'id="seat-warning"' not in html


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("startup", ["Alpaca Labs", "Bistro Bots", "Comet Cargo"]),
        ("-startup", ["Comet Cargo", "Bistro Bots", "Alpaca Labs"]),
        ("city", ["Bistro Bots", "Alpaca Labs", "Comet Cargo"]),  # Lyon, Vienna, then Oslo
        ("score", ["Bistro Bots", "Alpaca Labs", "Comet Cargo"]),  # no review: last
        ("-reviews", ["Alpaca Labs", "Bistro Bots", "Comet Cargo"]),
        ("state", ["Bistro Bots", "Alpaca Labs", "Comet Cargo"]),  # the machine's order
        ("nonsense", ["Alpaca Labs", "Bistro Bots", "Comet Cargo"]),  # ignored: the default
        ("state__isnull", ["Alpaca Labs", "Bistro Bots", "Comet Cargo"]),
    ],
)
def test_the_board_sorts_by_a_whitelisted_column(manager_client, world, cast, order, expected):
    assert names(manager_client.get(board_url(world.programme, o=order))) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "submitted"}, ["Bistro Bots"]),
        ({"state": "draft"}, ["Alpaca Labs", "Bistro Bots", "Comet Cargo"]),  # not on the board
        ({"staged": "accept"}, ["Comet Cargo"]),
        ({"staged": "any"}, ["Comet Cargo"]),
        ({"staged": "none"}, ["Alpaca Labs", "Bistro Bots"]),
        ({"staged": "accept", "state": "in_review"}, []),
        ({"state": "bogus", "staged": "bogus"}, ["Alpaca Labs", "Bistro Bots", "Comet Cargo"]),
    ],
)
def test_the_board_filters_by_state_and_staged_decision(
    manager_client, world, cast, query, expected
):
    response = manager_client.get(board_url(world.programme, **query))

    assert response.status_code == 200
    if expected:
        assert names(response) == expected
    else:
        assert board_rows(response.content.decode()) == [["No submitted application matches."]]


def stage(client, programme, applications, **data):
    return client.post(
        board_url(programme),
        {"selected": [a.pk for a in applications], "comment": "", **data},
        follow=True,
    )


def test_staging_many_waitlists_them_at_consecutive_ranks_with_the_comment(
    manager_client, world, cast
):
    response = stage(
        manager_client,
        world.programme,
        [cast["bistro"], cast["alpaca"]],  # in the order listed
        decision="waitlist",
        rank="3",
        comment="Close call",
        share_comment="on",
    )

    assert messages_of(response) == ["2 applications: staged for the waitlist."]
    staged = Application.objects.filter(pending_decision=Verb.WAITLIST).order_by("rank")
    assert [
        (a.startup.name, a.rank, a.pending_comment, a.pending_comment_shared) for a in staged
    ] == [
        ("Bistro Bots", 3, "Close call", True),
        ("Alpaca Labs", 4, "Close call", True),
    ]
    assert Application.objects.get(pk=cast["alpaca"].pk).state == State.IN_REVIEW  # unseen
    assert response.redirect_chain == [(board_url(world.programme), 302)]


def test_staging_one_acceptance_over_the_seats_warns(manager_client, world, cast):
    make_application(
        world,
        State.ACCEPTED,
        startup=MembershipFactory().startup,
        confirm_by=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )

    response = stage(manager_client, world.programme, [cast["alpaca"]], decision="accept")

    assert messages_of(response) == [
        "1 application: staged for acceptance.",
        "2 acceptances are staged but only 1 of 2 seats are free.",
    ]
    html = response.content.decode()
    assert re.search(r'id="seats-held">1<', html)
    assert re.search(r'id="seats-staged">2<', html)
    assert re.search(r'id="seats-free">1<', html)
    assert re.search(
        r'id="seat-warning">2 acceptances are staged but only 1 of 2 seats are free.<', html
    )


def test_clearing_drops_the_staged_decision(manager_client, world, cast):
    response = stage(manager_client, world.programme, [cast["comet"]], decision="clear")

    assert messages_of(response) == ["1 application: staged decision cleared."]
    comet = Application.objects.get(pk=cast["comet"].pk)
    assert (comet.pending_decision, comet.pending_comment) == ("", "")


def test_a_refused_staging_is_a_message_and_the_others_go_through(manager_client, world, cast):
    rejected = make_application(world, State.REJECTED, startup=MembershipFactory().startup)

    response = stage(manager_client, world.programme, [rejected, cast["bistro"]], decision="accept")

    assert messages_of(response)[1:] == ["1 application: staged for acceptance."]
    assert messages_of(response)[0].startswith(f"{rejected.startup.name}: ")
    assert Application.objects.get(pk=rejected.pk).pending_decision == ""
    assert Application.objects.get(pk=cast["bistro"].pk).pending_decision == Verb.ACCEPT


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"decision": "accept"}, "Applications: Select at least one application."),
        ({"decision": "confirm", "selected": "SELF"}, "Decision: Select a valid choice."),
        ({"decision": "waitlist", "rank": "0", "selected": "SELF"}, "Waitlist rank: "),
        ({"decision": "waitlist", "rank": "x", "selected": "SELF"}, "Waitlist rank: "),
        ({"decision": "accept", "selected": "abc"}, "Applications: "),
        ({"decision": "accept", "selected": "SELF", "share_comment": "on"}, "Comment: "),
        ({"decision": "accept", "selected": "999999"}, "Applications: Select a valid choice."),
        ({"decision": "reject", "selected": "9" * 25}, "Applications: "),
        ({"decision": "reject", "selected": "-1"}, "Applications: "),
    ],
)
def test_bad_input_is_a_form_error_and_stages_nothing(manager_client, world, cast, data, error):
    if data.get("selected") == "SELF":
        data["selected"] = str(cast["alpaca"].pk)

    response = manager_client.post(board_url(world.programme), {"comment": "", **data})

    assert response.status_code == 200
    errors = re.search(r'id="board-errors".*?</div>', response.content.decode(), re.DOTALL).group(0)
    assert error in errors
    assert list(Application.objects.exclude(pending_decision="").values_list("pk", flat=True)) == [
        cast["comet"].pk
    ]


def test_an_application_of_another_programme_cannot_be_staged_here(manager_client, world, cast):
    other = ApplicationFactory(programme=ProgrammeFactory(), state=State.SUBMITTED)

    response = manager_client.post(
        board_url(world.programme), {"decision": "accept", "selected": [other.pk], "comment": ""}
    )

    assert "Applications: Select a valid choice." in response.content.decode()
    assert Application.objects.get(pk=other.pk).pending_decision == ""


def test_the_board_query_count_stays_the_same_as_applications_grow(
    manager_client, world, django_assert_num_queries
):
    world.programme.eligible_origin_cities.set([CityFactory()])
    make_application(world, State.SUBMITTED)
    url = board_url(world.programme)
    manager_client.get(url)  # warm the session

    with django_assert_num_queries(8):
        manager_client.get(url)
    for _ in range(14):
        application = make_application(world, State.IN_REVIEW, startup=MembershipFactory().startup)
        Recommendation.objects.create(
            organisation=OrganisationFactory(), application=application, verdict=Verdict.NEUTRAL
        )
    with django_assert_num_queries(8):
        response = manager_client.get(url)
    assert len(board_rows(response.content.decode())) == 15


def test_the_board_is_paged_keeping_its_order_and_filters(
    manager_client, world, cast, settings, django_assert_num_queries
):
    settings.BOARD_PAGE_SIZE = 2
    url = board_url(world.programme)

    first = manager_client.get(url)
    second = manager_client.get(f"{url}?o=-review_score&p=2")
    with django_assert_num_queries(8):  # a later page costs what the first does
        manager_client.get(f"{url}?o=-review_score&p=2")
    past = manager_client.get(f"{url}?p=9")
    odd = [manager_client.get(f"{url}?p={value}") for value in ("abc", "0", "-1", "9" * 30)]

    assert names(first) == ["Alpaca Labs", "Bistro Bots"]
    assert 'href="?p=2"' in first.content.decode()
    assert "2 applications on this page" in first.content.decode()
    assert names(second) == ["Comet Cargo"]
    assert 'href="?o=-review_score&amp;p=1"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert board_rows(past.content.decode()) == [["No submitted application matches."]]
    assert [names(response) for response in odd] == [["Alpaca Labs", "Bistro Bots"]] * 4


def test_the_stage_button_is_a_verb_not_a_start_ups_stage(manager_client, world, cast):
    # "Stage" is both a start-up's stage (a noun: "Phase") and this button (a verb): each
    # has its own context in the catalogues.
    response = manager_client.get(board_url(world.programme), HTTP_ACCEPT_LANGUAGE="de")

    html = response.content.decode()
    assert '<input type="submit" value="Vormerken" class="default" name="stage">' in html
    assert "Phase" not in html
