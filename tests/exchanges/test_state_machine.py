"""Every verb against every state, by its actor, driven by the table of DESIGN.md.

The table is written out here, not read from `TRANSITIONS`: a wrong edit of the code's
table fails `test_the_code_has_the_designed_table` and the tests of each verb.
"""

import datetime

import pytest
from django.utils import timezone

from alliance.errors import DomainError
from alliance.mail.models import EmailMessage
from exchanges import services
from exchanges.models import TRANSITIONS, Actor, Application, ApplicationEvent, State, Verb
from tests.exchanges.conftest import STAFF_INBOX, emails_queued, history, make_application
from tests.factories import StartupFactory, UserFactory

pytestmark = pytest.mark.django_db

TEAM = (("owner@startup.example", "de"), ("member@startup.example", "en"))
STAFF_AND_HOST = ((STAFF_INBOX, "de"), ("host@partner.example", "de"))


def team(key: str) -> list[tuple[str, str, str]]:
    return [(key, address, language) for address, language in TEAM]


def staff_and_host(key: str) -> list[tuple[str, str, str]]:
    return [(key, address, language) for address, language in STAFF_AND_HOST]


CALLS = {
    Verb.SUBMIT: lambda app, w: services.submit_application(app, by=w.owner, consent=True),
    Verb.START_REVIEW: lambda app, w: services.start_review(app, by=w.staff),
    Verb.SHORTLIST: lambda app, w: services.shortlist_application(app, by=w.staff),
    Verb.WAITLIST: lambda app, w: services.waitlist_application(app, by=w.staff, rank=1),
    Verb.ACCEPT: lambda app, w: services.accept_application(app, by=w.staff),
    Verb.REJECT: lambda app, w: services.reject_application(app, by=w.staff),
    Verb.CONFIRM: lambda app, w: services.confirm_application(app, by=w.owner),
    Verb.EXPIRE: lambda app, w: services.expire_application(app),
    Verb.WITHDRAW: lambda app, w: services.withdraw_application(app, by=w.owner),
}
EMAILS = {
    Verb.SUBMIT: team("application_submitted"),
    Verb.START_REVIEW: [],
    Verb.SHORTLIST: team("application_shortlisted"),
    Verb.WAITLIST: team("application_waitlisted"),
    Verb.ACCEPT: team("application_accepted"),
    Verb.REJECT: team("application_rejected"),
    Verb.CONFIRM: staff_and_host("application_confirmed"),
    Verb.EXPIRE: team("application_expired") + staff_and_host("application_expired_staff"),
    Verb.WITHDRAW: staff_and_host("application_withdrawn"),
}
ACTING = {"owner": "owner", "staff": "staff", "system": None}

DECIDABLE = {"submitted", "in_review", "shortlisted", "waitlisted"}
# verb: (from, to, who), as in DESIGN.md "Application states".
TABLE = {
    "submit": ({"draft"}, "submitted", {"owner"}),
    "start_review": ({"submitted"}, "in_review", {"staff"}),
    "shortlist": ({"submitted", "in_review"}, "shortlisted", {"staff"}),
    "waitlist": ({"submitted", "in_review", "shortlisted"}, "waitlisted", {"staff"}),
    "accept": (DECIDABLE, "accepted", {"staff", "system"}),
    "reject": (DECIDABLE, "rejected", {"staff"}),
    "confirm": ({"accepted"}, "confirmed", {"owner"}),
    "expire": ({"accepted"}, "expired", {"system"}),
    "withdraw": (DECIDABLE | {"accepted", "confirmed"}, "withdrawn", {"owner"}),
}


def test_the_table_covers_every_verb():
    assert set(CALLS) == set(EMAILS) == set(TRANSITIONS) == set(Verb)
    assert set(TABLE) == {verb.value for verb in Verb}


def test_the_code_has_the_designed_table():
    in_code = {
        verb.value: (
            {state.value for state in rule.sources},
            rule.target.value,
            {actor.value for actor in rule.actors},
        )
        for verb, rule in TRANSITIONS.items()
    }

    assert in_code == TABLE


@pytest.mark.parametrize("state", list(State), ids=str)
@pytest.mark.parametrize("verb", list(Verb), ids=str)
def test_verb_in_state(world, verb, state):
    fields = {}
    if verb == Verb.EXPIRE and state == State.ACCEPTED:
        fields["confirm_by"] = timezone.now() - datetime.timedelta(minutes=1)
    application = make_application(world, state, **fields)
    sources, target, actors = TABLE[verb.value]

    if state.value in sources:
        CALLS[verb](application, world)

        application.refresh_from_db()
        actor = next(iter(actors - {"system"}), "system")
        by = getattr(world, ACTING[actor]) if ACTING[actor] else None
        assert application.state == target
        assert history(application) == [(verb, state, target, by.pk if by else None)]
        assert emails_queued() == sorted(EMAILS[verb])
    else:
        with pytest.raises(DomainError) as refused:
            CALLS[verb](application, world)

        assert refused.value.code == "state_conflict"
        application.refresh_from_db()
        assert application.state == state
        assert not ApplicationEvent.objects.exists()
        assert emails_queued() == []


BY_USER = {
    Verb.SUBMIT: lambda app, by: services.submit_application(app, by=by, consent=True),
    Verb.START_REVIEW: lambda app, by: services.start_review(app, by=by),
    Verb.SHORTLIST: lambda app, by: services.shortlist_application(app, by=by),
    Verb.WAITLIST: lambda app, by: services.waitlist_application(app, by=by),
    Verb.ACCEPT: lambda app, by: services.accept_application(app, by=by),
    Verb.REJECT: lambda app, by: services.reject_application(app, by=by),
    Verb.CONFIRM: lambda app, by: services.confirm_application(app, by=by),
    Verb.WITHDRAW: lambda app, by: services.withdraw_application(app, by=by),
}
ROLE_OF = {"owner": "owner", "staff": "staff", "member": None}


def test_only_the_portal_itself_expires():
    assert set(BY_USER) == set(Verb) - {Verb.EXPIRE}
    assert TRANSITIONS[Verb.EXPIRE].actors == {Actor.SYSTEM}


@pytest.mark.parametrize("who", list(ROLE_OF))
@pytest.mark.parametrize("verb", list(BY_USER), ids=str)
def test_verb_by_each_kind_of_person(world, verb, who):
    sources, target, actors = TABLE[verb.value]
    state = min((State(source) for source in sources), key=list(State).index)
    application = make_application(world, state)
    allowed = ROLE_OF[who] in actors

    if allowed:
        BY_USER[verb](application, getattr(world, who))

        assert Application.objects.get().state == target
    else:
        with pytest.raises(DomainError) as refused:
            BY_USER[verb](application, getattr(world, who))

        expected = "not_owner" if "owner" in actors else "not_staff"
        assert refused.value.code == expected
        assert Application.objects.get().state == state
        assert not ApplicationEvent.objects.exists()
        assert emails_queued() == []


def test_expire_refused_before_the_deadline(world):
    application = make_application(world, State.ACCEPTED)

    with pytest.raises(DomainError) as refused:
        services.expire_application(application)

    assert refused.value.code == "not_expired"
    assert Application.objects.get().state == State.ACCEPTED


def test_confirm_refused_after_the_deadline(world):
    application = make_application(
        world, State.ACCEPTED, confirm_by=timezone.now() - datetime.timedelta(seconds=1)
    )

    with pytest.raises(DomainError) as refused:
        services.confirm_application(application, by=world.owner)

    assert refused.value.code == "confirmation_closed"
    assert Application.objects.get().state == State.ACCEPTED


def test_accept_sets_the_confirmation_deadline(world):
    application = make_application(world, State.SHORTLISTED)
    before = timezone.now()

    services.accept_application(application, by=world.staff, comment="Strong team")

    application.refresh_from_db()
    window = datetime.timedelta(days=world.programme.confirmation_days)
    assert before + window <= application.confirm_by <= timezone.now() + window
    assert application.decided_at is not None
    assert ApplicationEvent.objects.get().comment == "Strong team"


def test_delete_draft_by_a_member(world):
    draft = make_application(world)

    services.delete_draft(draft, by=world.member)

    assert not Application.objects.exists()


def test_delete_refused_after_submit_and_to_strangers(world):
    submitted = make_application(world, State.SUBMITTED)
    draft = make_application(world, startup=StartupFactory())

    with pytest.raises(DomainError) as not_draft:
        services.delete_draft(submitted, by=world.owner)
    with pytest.raises(DomainError) as stranger:
        services.delete_draft(draft, by=world.owner)

    assert not_draft.value.code == "not_draft"
    assert stranger.value.code == "not_member"
    assert Application.objects.count() == 2


def test_decision_emails_speak_each_recipients_language_and_time(world):
    world.owner.time_zone = "Asia/Jerusalem"
    world.owner.save()
    application = make_application(world, State.SHORTLISTED)

    services.accept_application(application, by=world.staff)

    application.refresh_from_db()
    german = EmailMessage.objects.get(recipient="owner@startup.example")
    english = EmailMessage.objects.get(recipient="member@startup.example")
    programme = world.programme
    assert german.subject == (
        f"Zusage: {world.startup.name} für {programme.title_de} \u2013 bitte bestätigen"
    )
    assert english.subject == (
        f"Accepted: {world.startup.name} for {programme.title_en} \u2013 please confirm"
    )
    # Each in its reader's zone, named in words (the German wording is the catalogue's).
    assert "Jerusalem" in german.body_text
    assert "Asia/Jerusalem" not in german.body_text
    assert "(Berlin time)" in english.body_text
    assert f"/de/applications/{application.pk}/" in german.body_text
    assert f"/en/applications/{application.pk}/" in english.body_text


def test_staff_without_the_permission_to_change_applications_cannot_decide(world):
    application = make_application(world, State.SUBMITTED)
    viewer = UserFactory(is_staff=True)

    with pytest.raises(DomainError) as refused:
        services.accept_application(application, by=viewer)

    assert refused.value.code == "not_staff"
    assert Application.objects.get().state == State.SUBMITTED
