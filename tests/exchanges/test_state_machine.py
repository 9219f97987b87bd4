"""Every verb against every state, by its actor, driven by the TRANSITIONS table."""

import datetime

import pytest
from django.utils import timezone

from alliance.errors import DomainError
from exchanges import services
from exchanges.models import TRANSITIONS, Actor, Application, ApplicationEvent, State, Verb
from tests.exchanges.conftest import STAFF_INBOX, emails_queued, history, make_application
from tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

TEAM = ("owner@startup.example", "member@startup.example")
STAFF_AND_HOST = (STAFF_INBOX, "host@partner.example")


def team(key: str) -> set[tuple[str, str]]:
    return {(key, address) for address in TEAM}


def staff_and_host(key: str) -> set[tuple[str, str]]:
    return {(key, address) for address in STAFF_AND_HOST}


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
    Verb.START_REVIEW: set(),
    Verb.SHORTLIST: team("application_shortlisted"),
    Verb.WAITLIST: team("application_waitlisted"),
    Verb.ACCEPT: team("application_accepted"),
    Verb.REJECT: team("application_rejected"),
    Verb.CONFIRM: staff_and_host("application_confirmed"),
    Verb.EXPIRE: team("application_expired") | staff_and_host("application_expired_staff"),
    Verb.WITHDRAW: staff_and_host("application_withdrawn"),
}
ACTING = {Actor.OWNER: "owner", Actor.STAFF: "staff", Actor.SYSTEM: None}


def test_the_table_covers_every_verb():
    assert set(CALLS) == set(EMAILS) == set(TRANSITIONS) == set(Verb)


@pytest.mark.parametrize("state", list(State), ids=str)
@pytest.mark.parametrize("verb", list(Verb), ids=str)
def test_verb_in_state(world, verb, state):
    fields = {}
    if verb == Verb.EXPIRE and state == State.ACCEPTED:
        fields["confirm_by"] = timezone.now() - datetime.timedelta(minutes=1)
    application = make_application(world, state, **fields)
    transition = TRANSITIONS[verb]

    if state in transition.sources:
        CALLS[verb](application, world)

        application.refresh_from_db()
        actor = next(iter(transition.actors - {Actor.SYSTEM}), Actor.SYSTEM)
        by = getattr(world, ACTING[actor]) if ACTING[actor] else None
        assert application.state == transition.target
        assert history(application) == [(verb, state, transition.target, by.pk if by else None)]
        assert emails_queued() == EMAILS[verb]
    else:
        with pytest.raises(DomainError) as refused:
            CALLS[verb](application, world)

        assert refused.value.code == "state_conflict"
        application.refresh_from_db()
        assert application.state == state
        assert not ApplicationEvent.objects.exists()
        assert emails_queued() == set()


STAFF_VERBS = [Verb.START_REVIEW, Verb.SHORTLIST, Verb.WAITLIST, Verb.ACCEPT, Verb.REJECT]
OWNER_VERBS = {
    Verb.SUBMIT: State.DRAFT,
    Verb.CONFIRM: State.ACCEPTED,
    Verb.WITHDRAW: State.SUBMITTED,
}


@pytest.mark.parametrize("verb", STAFF_VERBS, ids=str)
@pytest.mark.parametrize("who", ["owner", "member"])
def test_staff_verbs_refused_to_the_team(world, verb, who):
    application = make_application(world, State.SUBMITTED)
    calls = {
        Verb.START_REVIEW: services.start_review,
        Verb.SHORTLIST: services.shortlist_application,
        Verb.WAITLIST: services.waitlist_application,
        Verb.ACCEPT: services.accept_application,
        Verb.REJECT: services.reject_application,
    }

    with pytest.raises(DomainError) as refused:
        calls[verb](application, by=getattr(world, who))

    assert refused.value.code == "not_staff"
    assert refused.value.messages == ["Only Berlin Partner staff can do this."]
    assert Application.objects.get().state == State.SUBMITTED
    assert emails_queued() == set()


@pytest.mark.parametrize("verb", list(OWNER_VERBS), ids=str)
@pytest.mark.parametrize("who", ["member", "staff"])
def test_owner_verbs_refused_to_others(world, verb, who):
    application = make_application(world, OWNER_VERBS[verb])
    calls = {
        Verb.SUBMIT: lambda app, by: services.submit_application(app, by=by, consent=True),
        Verb.CONFIRM: lambda app, by: services.confirm_application(app, by=by),
        Verb.WITHDRAW: lambda app, by: services.withdraw_application(app, by=by),
    }

    with pytest.raises(DomainError) as refused:
        calls[verb](application, getattr(world, who))

    assert refused.value.code == "not_owner"
    assert refused.value.messages == [f"Only an owner of {world.startup.name} can do this."]
    assert Application.objects.get().state == OWNER_VERBS[verb]
    assert not ApplicationEvent.objects.exists()


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
