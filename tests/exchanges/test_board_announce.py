"""Announcing from the board: a preview of the very emails, then all at once; who may."""

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from alliance.mail.models import EmailMessage
from exchanges import services
from exchanges.models import Application, ApplicationEvent, ExchangeProgramme, State, Verb
from tests.exchanges.conftest import make_application, staff_user
from tests.factories import MembershipFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCEPTED_DE = "Zusage: Alpaca Labs für Austausch Wien \N{EN DASH} bitte bestätigen"
ACCEPTED_EN = "Accepted: Alpaca Labs for Vienna Exchange \N{EN DASH} please confirm"
REJECTED_EN = "Your application to Vienna Exchange"


@pytest.fixture
def staged(world, manager):
    """Alpaca Labs (a German owner, an English member) staged to accept, Bistro Bots to reject."""
    world.programme.title_en, world.programme.title_de = "Vienna Exchange", "Austausch Wien"
    world.programme.save()
    world.startup.name = "Alpaca Labs"
    world.startup.save()
    alpaca = make_application(world, State.IN_REVIEW)
    bistro = make_application(
        world,
        State.SUBMITTED,
        startup=MembershipFactory(
            startup__name="Bistro Bots", user__email="bistro@startup.example", user__language="en"
        ).startup,
    )
    services.stage_decision(alpaca, verb=Verb.ACCEPT, by=manager)
    services.stage_decision(
        bistro, verb=Verb.REJECT, by=manager, comment="Too early for us", share_comment=True
    )
    return {"alpaca": alpaca, "bistro": bistro}


def announce_url(programme) -> str:
    return reverse("admin:exchanges_exchangeprogramme_announce", args=[programme.pk])


def board_url(programme) -> str:
    return reverse("admin:exchanges_exchangeprogramme_board", args=[programme.pk])


def previews(html: str) -> list[tuple[str, str, str]]:
    """Each email on the page as (recipient, language, subject)."""
    return re.findall(
        r'<span class="recipient">([^<]*)</span> <span class="language">\[([^\]]*)\]</span> '
        r'<span class="subject" lang="[^"]*">([^<]*)</span>',
        html,
    )


def fingerprint_of(html: str) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]{64})"', html).group(1)


def states() -> list[tuple[str, str, str]]:
    return list(
        Application.objects.order_by("startup__name").values_list(
            "startup__name", "state", "pending_decision"
        )
    )


def test_the_preview_lists_exactly_the_emails_in_each_language_and_changes_nothing(
    client, manager, world, staged
):
    client.force_login(manager)
    logged = LogEntry.objects.count()

    response = client.get(announce_url(world.programme))

    assert response.status_code == 200
    html = response.content.decode()
    assert [(r, lang, s.replace("&#x27;", "'")) for r, lang, s in previews(html)] == [
        ("member@startup.example", "en", ACCEPTED_EN),
        ("owner@startup.example", "de", ACCEPTED_DE),
        ("bistro@startup.example", "en", REJECTED_EN),
    ]
    assert "Hallo," in html  # the German body, collapsed under its summary
    assert "A note from Berlin Partner: Too early for us" in html
    assert html.count("<details>") == 3
    assert EmailMessage.objects.count() == 0
    assert ApplicationEvent.objects.count() == 0
    assert LogEntry.objects.count() == logged
    assert states() == [
        ("Alpaca Labs", "in_review", "accept"),
        ("Bistro Bots", "submitted", "reject"),
    ]
    assert ExchangeProgramme.objects.get().decisions_announced_at is None


def test_confirming_announces_and_queues_those_emails(
    client, manager, world, staged, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = client.get(announce_url(world.programme)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            announce_url(world.programme), {"fingerprint": fingerprint_of(page)}, follow=True
        )

    assert response.redirect_chain == [(board_url(world.programme), 302)]
    assert [str(m) for m in response.context["messages"]] == ["2 decisions announced."]
    assert states() == [("Alpaca Labs", "accepted", ""), ("Bistro Bots", "rejected", "")]
    assert sorted(EmailMessage.objects.values_list("recipient", "language", "subject")) == sorted(
        [
            ("member@startup.example", "en", ACCEPTED_EN),
            ("owner@startup.example", "de", ACCEPTED_DE),
            ("bistro@startup.example", "en", REJECTED_EN),
        ]
    )
    assert set(EmailMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert ExchangeProgramme.objects.get().decisions_announced_at is not None


def test_a_stale_preview_is_refused_and_shown_again(client, manager, world, staged):
    client.force_login(manager)
    page = client.get(announce_url(world.programme)).content.decode()
    services.clear_staged_decision(staged["bistro"], by=manager)  # someone else, meanwhile

    response = client.post(announce_url(world.programme), {"fingerprint": fingerprint_of(page)})

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        (
            "The staged decisions changed since this page was shown. Check the emails below "
            "again before you announce."
        )
    ]
    assert [(r, lang) for r, lang, _s in previews(response.content.decode())] == [
        ("member@startup.example", "en"),
        ("owner@startup.example", "de"),
    ]
    assert states() == [("Alpaca Labs", "in_review", "accept"), ("Bistro Bots", "submitted", "")]
    assert EmailMessage.objects.count() == 0


def test_a_changed_rank_or_comment_also_makes_the_preview_stale(client, manager, world, staged):
    client.force_login(manager)
    page = client.get(announce_url(world.programme)).content.decode()
    services.stage_decision(
        staged["bistro"], verb=Verb.REJECT, by=manager, comment="Other words", share_comment=True
    )

    response = client.post(announce_url(world.programme), {"fingerprint": fingerprint_of(page)})

    assert response.status_code == 200
    assert "Other words" in response.content.decode()
    assert EmailMessage.objects.count() == 0


def test_a_forged_fingerprint_announces_nothing(client, manager, world, staged):
    client.force_login(manager)

    response = client.post(announce_url(world.programme), {"fingerprint": "x" * 5000})

    assert response.status_code == 200
    assert states()[0] == ("Alpaca Labs", "in_review", "accept")


def test_announcing_with_nothing_staged_goes_back_to_the_board(client, manager, world):
    client.force_login(manager)

    response = client.get(announce_url(world.programme), follow=True)

    assert response.redirect_chain == [(board_url(world.programme), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "No decision is staged for this programme."
    ]


def test_acceptances_beyond_the_seats_are_refused_on_preview(client, manager, world, staged):
    for _ in range(2):
        other = make_application(world, State.SUBMITTED, startup=MembershipFactory().startup)
        services.stage_decision(other, verb=Verb.ACCEPT, by=manager)
    client.force_login(manager)

    response = client.get(announce_url(world.programme), follow=True)

    assert response.redirect_chain == [(board_url(world.programme), 302)]
    html = response.content.decode()
    assert 'id="seat-warning">3 acceptances are staged but only 2 of 2 seats are free.<' in html
    assert EmailMessage.objects.count() == 0


# Who may


def another_manager(world) -> object:
    user = staff_user(email="elsewhere@berlin-partner.example")
    user.user_permissions.remove(Permission.objects.get(codename="see_every_programme"))
    ProgrammeFactory().managers.add(user)
    return user


def reviewer(world) -> object:
    user = UserFactory(is_staff=True, email="reviewer-only@berlin-partner.example")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "review_application"])
    )
    world.programme.reviewers.add(user)
    return user


def test_a_manager_of_another_programme_gets_404_everywhere(client, world, staged):
    client.force_login(another_manager(world))

    assert client.get(board_url(world.programme)).status_code == 404
    assert client.get(announce_url(world.programme)).status_code == 404
    response = client.post(
        board_url(world.programme), {"decision": "clear", "selected": [staged["alpaca"].pk]}
    )
    assert response.status_code == 404
    assert states()[0] == ("Alpaca Labs", "in_review", "accept")


def test_a_reviewer_reads_the_board_but_cannot_stage_or_announce(client, world, staged):
    client.force_login(reviewer(world))

    response = client.get(board_url(world.programme))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="read-only"' in html
    assert 'name="selected"' not in html
    assert 'id="announce-link"' not in html
    assert "Alpaca Labs" in html
    response = client.post(
        board_url(world.programme), {"decision": "clear", "selected": [staged["alpaca"].pk]}
    )
    assert response.status_code == 403
    assert client.get(announce_url(world.programme)).status_code == 403
    assert client.post(announce_url(world.programme), {"fingerprint": ""}).status_code == 403
    assert states()[0] == ("Alpaca Labs", "in_review", "accept")


def test_staff_without_access_to_applications_get_404(client, world):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(board_url(world.programme)).status_code == 404


def test_the_programme_page_and_list_link_to_the_board(admin_client, world):
    change = reverse("admin:exchanges_exchangeprogramme_change", args=[world.programme.pk])
    link = f'<a href="{board_url(world.programme)}">Decision board</a>'

    assert link in admin_client.get(change).content.decode()
    listing = admin_client.get(reverse("admin:exchanges_exchangeprogramme_changelist"))
    assert link in listing.content.decode()


def test_an_unknown_programme_is_404(admin_client):
    assert admin_client.get("/admin/exchanges/exchangeprogramme/999999/board/").status_code == 404
    # Not an id: the admin's own answer for an unknown object, never a 500.
    response = admin_client.get("/admin/exchanges/exchangeprogramme/abc/board/", follow=True)
    assert response.redirect_chain[-1] == ("/admin/", 302)
