"""Deciding in the admin: intermediate forms with a comment, the waitlist's order, drafts only
deleted, and only by those who decide on the programme."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from alliance.errors import DomainError
from alliance.mail.models import EmailMessage
from exchanges import services
from exchanges.admin.applications import WaitlistForm
from exchanges.models import Application, ApplicationEvent, State
from tests.exchanges.conftest import make_application, staff_user
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:exchanges_application_changelist")
NOTE = "A note from Berlin Partner: Your pitch convinced the host."
NOTE_DE = "Eine Anmerkung von Berlin Partner: Your pitch convinced the host."


@pytest.fixture
def manager(manager):
    """The programme's manager, who may also delete drafts."""
    manager.user_permissions.add(Permission.objects.get(codename="delete_application"))
    return manager


def another(world, state: State, **fields) -> Application:
    return make_application(world, state, startup=MembershipFactory().startup, **fields)


def post(client, action: str, applications, **data):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in applications], **data},
        follow=True,
    )


def team_bodies(template: str) -> list[str]:
    return list(
        EmailMessage.objects.filter(template_key__endswith=template)
        .exclude(recipient="staff@berlin-partner.example")
        .order_by("recipient")
        .values_list("body_text", flat=True)
    )


def test_a_decision_first_shows_its_form_with_the_selection(manager_client, world):
    application = make_application(world, State.IN_REVIEW)

    response = post(manager_client, "shortlist", [application])

    html = response.content.decode()
    assert "Shortlist: 1 application" in html
    assert f"{world.startup.name}</a>" in html
    assert '<textarea name="comment"' in html
    assert "include the comment in the email to the team" in html
    assert 'name="rank"' not in html
    assert Application.objects.get().state == State.IN_REVIEW
    assert not ApplicationEvent.objects.exists()


def test_a_shared_comment_is_recorded_and_in_the_teams_email(manager_client, manager, world):
    application = make_application(world, State.IN_REVIEW)

    response = post(
        manager_client,
        "shortlist",
        [application],
        post="yes",
        comment="Your pitch convinced the host.",
        share_comment="on",
    )

    assert "1 application: shortlisted." in response.content.decode()
    event = ApplicationEvent.objects.get()
    assert (event.verb, event.actor, event.comment) == (
        "shortlist",
        manager,
        "Your pitch convinced the host.",
    )
    bodies = team_bodies("application_shortlisted")
    assert len(bodies) == 2  # the member reads English, the owner German
    assert f"/en/applications/{application.pk}/\n{NOTE}\n" in bodies[0]
    assert f"/de/applications/{application.pk}/\n{NOTE_DE}\n" in bodies[1]


def test_an_unshared_comment_is_recorded_but_not_in_the_email(manager_client, world):
    application = make_application(world, State.IN_REVIEW)

    post(
        manager_client,
        "reject",
        [application],
        post="yes",
        comment="Market too small for this round.",
    )

    assert ApplicationEvent.objects.get().comment == "Market too small for this round."
    bodies = team_bodies("application_rejected")
    assert len(bodies) == 2
    assert not any("Market too small" in body or "A note from" in body for body in bodies)
    # Without a note the layout is as it always was: no stray blank line.
    assert all(f"/applications/{application.pk}/\n\n" in body for body in bodies)
    assert not any("\n\n\n" in body for body in bodies)


def test_waitlisting_at_a_rank_moves_the_others_down(manager_client, world):
    first = another(world, State.WAITLISTED, rank=1)
    second = another(world, State.WAITLISTED, rank=2)
    application = make_application(world, State.IN_REVIEW)

    post(manager_client, "waitlist", [application], post="yes", rank="1", comment="Close call")

    ranks = dict(Application.objects.values_list("pk", "rank"))
    assert ranks == {application.pk: 1, first.pk: 2, second.pk: 3}
    assert ApplicationEvent.objects.get().comment == "Close call"


def test_staging_a_waitlisting_keeps_rank_and_comment_until_announced(manager_client, world):
    application = make_application(world, State.IN_REVIEW)

    post(
        manager_client,
        "stage_waitlist",
        [application],
        post="yes",
        rank="1",
        comment="Your pitch convinced the host.",
        share_comment="on",
    )

    staged = Application.objects.get()
    assert (staged.pending_decision, staged.rank) == ("waitlist", 1)
    assert (staged.pending_comment, staged.pending_comment_shared) == (
        "Your pitch convinced the host.",
        True,
    )
    assert not EmailMessage.objects.exists()
    services.announce_decisions(world.programme, by=world.staff)
    assert ApplicationEvent.objects.get().comment == "Your pitch convinced the host."
    bodies = team_bodies("application_waitlisted")
    assert len(bodies) == 2  # the member reads English, the owner German
    assert f"/en/applications/{application.pk}/\n{NOTE}\n" in bodies[0]
    assert f"/de/applications/{application.pk}/\n{NOTE_DE}\n" in bodies[1]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"rank": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"rank": "99999999999"}, "Ensure this value is less than or equal to 10000."),
        ({"comment": "x" * 3001}, "Ensure this value has at most 3000 characters (it has 3001)."),
        ({"share_comment": "on"}, "Write the comment to include in the email."),
    ],
    ids=["rank-0", "huge-rank", "huge-text", "share-nothing"],
)
def test_invalid_input_is_a_form_error_and_changes_nothing(manager_client, world, data, error):
    application = make_application(world, State.IN_REVIEW)

    response = post(manager_client, "waitlist", [application], post="yes", **data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Application.objects.get().state == State.IN_REVIEW
    assert not ApplicationEvent.objects.exists()
    assert not EmailMessage.objects.exists()


def test_a_nul_byte_is_refused_and_changes_nothing(manager_client, world):
    application = make_application(world, State.IN_REVIEW)

    # The portal's middleware refuses a NUL in any form (400); the form refuses it too.
    response = post(manager_client, "reject", [application], post="yes", comment="bad\x00byte")
    form = WaitlistForm({"comment": "bad\x00byte"})

    assert response.status_code == 400
    assert form.errors == {"comment": ["Null characters are not allowed."]}
    assert Application.objects.get().state == State.IN_REVIEW
    assert not ApplicationEvent.objects.exists()


def test_setting_a_waitlist_rank_renumbers_one_to_n(manager_client, world):
    a = another(world, State.WAITLISTED, rank=2)
    b = another(world, State.WAITLISTED, rank=5)
    c = another(world, State.WAITLISTED, rank=9)

    post(manager_client, "set_waitlist_rank", [c], post="yes", rank="1")

    assert dict(Application.objects.values_list("pk", "rank")) == {c.pk: 1, a.pk: 2, b.pk: 3}


def test_moving_down_and_past_the_end_keeps_ranks_one_to_n(manager, world):
    a = another(world, State.WAITLISTED, rank=1)
    b = another(world, State.WAITLISTED, rank=2)
    c = another(world, State.WAITLISTED, rank=3)

    services.move_in_waitlist(a, rank=2, by=manager)
    assert dict(Application.objects.values_list("pk", "rank")) == {b.pk: 1, a.pk: 2, c.pk: 3}
    services.move_in_waitlist(b, rank=40, by=manager)
    assert dict(Application.objects.values_list("pk", "rank")) == {a.pk: 1, c.pk: 2, b.pk: 3}


def test_a_rank_change_is_in_the_audit_log(manager, world):
    a = another(world, State.WAITLISTED, rank=1)
    b = another(world, State.WAITLISTED, rank=2)

    services.move_in_waitlist(b, rank=1, by=manager)

    changes = [
        entry.changes_dict["rank"]
        for entry in LogEntry.objects.get_for_object(a).filter(action=LogEntry.Action.UPDATE)
    ]
    assert changes == [["1", "2"]]


def test_rejecting_a_waitlisted_application_closes_the_gap(manager, world):
    a = another(world, State.WAITLISTED, rank=1)
    b = another(world, State.WAITLISTED, rank=2)

    services.reject_application(a, by=manager)

    assert Application.objects.get(pk=b.pk).rank == 1


def test_only_a_waitlisted_application_is_moved(manager, world):
    application = make_application(world, State.IN_REVIEW)

    with pytest.raises(DomainError) as refused:
        services.move_in_waitlist(application, rank=1, by=manager)

    assert refused.value.code == "not_waitlisted"


def test_staff_who_do_not_manage_the_programme_are_refused(client, world):
    outsider = staff_user(email="outsider@berlin-partner.example")
    outsider.user_permissions.remove(Permission.objects.get(codename="see_every_programme"))
    world.programme.reviewers.add(outsider)  # sees the application, does not decide on it
    application = make_application(world, State.WAITLISTED, rank=1)
    client.force_login(outsider)

    response = post(client, "accept", [application], post="yes", comment="Let them in")

    assert "Only the programme&#x27;s managers at Berlin Partner can do this." in (
        response.content.decode()
    )
    assert Application.objects.get().state == State.WAITLISTED
    assert not ApplicationEvent.objects.exists()
    with pytest.raises(DomainError):
        services.move_in_waitlist(application, rank=1, by=outsider)


def test_the_change_page_offers_the_decisions(manager_client, world):
    application = make_application(world, State.IN_REVIEW)
    url = reverse("admin:exchanges_application_change", args=[application.pk])

    form = manager_client.post(
        url,
        {"CHANGE_FORM-action": "accept", "_selected_action": [application.pk]},
    )
    done = manager_client.post(
        CHANGELIST,
        {
            "action": "accept",
            "_selected_action": [application.pk],
            "post": "yes",
            "return_to_change": "1",
            "comment": "Welcome",
        },
    )

    assert 'name="return_to_change" value="1"' in form.content.decode()
    assert done.status_code == 302
    assert done["Location"] == url
    assert Application.objects.get().state == State.ACCEPTED


# Deleting


def test_a_submitted_application_cannot_be_deleted(manager_client, world):
    application = make_application(world, State.SUBMITTED)
    url = reverse("admin:exchanges_application_delete", args=[application.pk])

    page = manager_client.get(url)
    confirmed = manager_client.post(url, {"post": "yes"})

    assert (page.status_code, confirmed.status_code) == (403, 403)
    assert Application.objects.filter(pk=application.pk).exists()


def test_a_draft_is_deleted_through_the_service_and_audited(manager_client, world):
    draft = make_application(world, State.DRAFT)
    url = reverse("admin:exchanges_application_delete", args=[draft.pk])

    response = manager_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Application.objects.exists()
    deleted = LogEntry.objects.get(action=LogEntry.Action.DELETE, object_pk=str(draft.pk))
    assert deleted.content_type.model == "application"


def test_a_bulk_delete_with_a_submitted_application_deletes_nothing(manager_client, world):
    draft = make_application(world, State.DRAFT)
    submitted = another(world, State.ACCEPTED)

    response = post(manager_client, "delete_selected", [draft, submitted], post="yes")

    assert "Only drafts can be deleted; nothing was deleted." in response.content.decode()
    assert set(Application.objects.values_list("pk", flat=True)) == {draft.pk, submitted.pk}


def test_a_bulk_delete_of_drafts_confirms_then_deletes(manager_client, world):
    first = make_application(world, State.DRAFT)
    second = another(world, State.DRAFT)

    confirmation = post(manager_client, "delete_selected", [first, second])
    assert Application.objects.count() == 2
    deleted = post(manager_client, "delete_selected", [first, second], post="yes")

    assert "Are you sure you want to delete the selected applications?" in (
        confirmation.content.decode()
    )
    assert "2 drafts deleted." in deleted.content.decode()
    assert not Application.objects.exists()


def test_staff_who_do_not_manage_the_programme_cannot_delete_its_drafts(client, world):
    outsider = staff_user(email="outsider@berlin-partner.example")
    outsider.user_permissions.remove(Permission.objects.get(codename="see_every_programme"))
    outsider.user_permissions.add(Permission.objects.get(codename="delete_application"))
    world.programme.reviewers.add(outsider)
    draft = make_application(world, State.DRAFT)
    client.force_login(outsider)

    response = client.post(
        reverse("admin:exchanges_application_delete", args=[draft.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Application.objects.filter(pk=draft.pk).exists()
