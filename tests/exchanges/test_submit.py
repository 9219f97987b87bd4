"""Submitting: every rule refuses with its own message and changes nothing."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance.errors import DomainError
from alliance.mail.models import EmailMessage
from exchanges import services
from exchanges.models import Answer, Application, ApplicationEvent, ProgrammeStatus, State
from exchanges.rules import consent_wording
from startups.models import Stage
from tests.exchanges.conftest import make_application
from tests.factories import CityFactory, OrganisationFactory, QuestionFactory
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db


def refusal(world, application, *, by=None, consent=True) -> DomainError:
    """Submit and return the refusal, after checking that nothing changed."""
    with pytest.raises(DomainError) as refused:
        services.submit_application(application, by=by or world.owner, consent=consent)
    stored = Application.objects.get(pk=application.pk)
    assert (stored.state, stored.submitted_at, stored.consent_at) == (State.DRAFT, None, None)
    assert not ApplicationEvent.objects.exists()
    assert not EmailMessage.objects.exists()
    return refused.value


def test_submit_records_consent_and_time(world):
    application = make_application(world)

    services.submit_application(application, by=world.owner, consent=True)

    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.submitted_at == application.consent_at == application.updated_at
    assert application.consent_text.startswith(
        "I agree that Berlin Partner für Wirtschaft und Technologie shares this application"
    )
    assert world.programme.host_organisation.name in application.consent_text


def test_submit_late(world):
    world.programme.applications_close_at = timezone.now() - datetime.timedelta(minutes=1)
    world.programme.save()

    error = refusal(world, make_application(world))

    assert error.code == "not_submittable"
    assert len(error.messages) == 1
    assert error.messages[0].startswith("The call for applications closed on ")


def test_submit_before_the_call_opens_or_unpublished(world):
    world.programme.applications_open_at = timezone.now() + datetime.timedelta(days=1)
    world.programme.save()
    application = make_application(world)

    early = refusal(world, application)
    world.programme.status = ProgrammeStatus.DRAFT
    world.programme.save()
    unpublished = refusal(world, application)

    assert early.messages[0].startswith("The call for applications opens on ")
    assert unpublished.messages == ["The programme is not open for applications."]


def test_submit_ineligible_names_each_failed_rule(world):
    programme = world.programme
    programme.eligible_origin_cities.set([CityFactory(name_en="Tel Aviv")])
    programme.max_company_age_years = 2
    programme.allowed_stages = [Stage.IDEA, Stage.PRE_SEED]
    programme.requires_product_launched = True
    programme.save()
    startup = world.startup
    startup.founded_year, startup.founded_month = 2020, 1
    startup.stage = Stage.SERIES_A
    startup.product_launched = False
    startup.save()

    error = refusal(world, make_application(world))

    assert error.messages == [
        "The programme is open to start-ups from Tel Aviv only.",
        "The programme is open to companies younger than 2 years.",
        "The programme is not open to start-ups at the series A stage.",
        "The programme needs a launched product.",
    ]


def test_submit_eligible_when_every_rule_is_met(world):
    programme = world.programme
    programme.eligible_origin_cities.set([world.startup.city])
    programme.max_company_age_years = 5
    programme.allowed_stages = [Stage.SEED]
    programme.requires_product_launched = True
    programme.save()

    services.submit_application(make_application(world), by=world.owner, consent=True)

    assert Application.objects.get().state == State.SUBMITTED


def test_submit_missing_answers_and_texts(world):
    question = QuestionFactory(programme=world.programme, text_en="How many travellers?")
    QuestionFactory(programme=world.programme, text_en="Anything else?", required=False)
    application = make_application(world, motivation=" ", goals="")
    Answer.objects.create(application=application, question=question, value="  ")

    error = refusal(world, application)

    assert error.messages == [
        "Tell the host city why you want to take part.",
        "Describe your goals in the market.",
        "Answer the question “How many travellers?”.",
    ]


def test_submit_without_consent(world):
    error = refusal(world, make_application(world), consent=False)

    assert error.messages == [
        f"Agree to share your application with {world.programme.host_organisation.name}."
    ]


def test_submit_with_unverified_email(world):
    world.owner.email_verified_at = None
    world.owner.save()

    error = refusal(world, make_application(world))

    assert error.code == "email_not_verified"
    assert error.messages == [
        "Confirm your email address before you submit: follow the link we sent."
    ]


def test_submit_by_a_member_who_is_not_an_owner(world):
    error = refusal(world, make_application(world), by=world.member)

    assert error.code == "not_owner"


def test_submit_messages_in_german(world, settings):
    from django.utils import translation

    application = make_application(world, motivation="")

    with translation.override("de"):
        error = refusal(world, application, consent=False)

    assert error.messages == [
        "Erzählen Sie der Gastgeberstadt, warum Sie teilnehmen möchten.",
        (
            f"Stimmen Sie zu, dass Ihre Bewerbung mit {world.programme.host_organisation.name} "
            "geteilt wird."
        ),
    ]


def test_start_application_once_per_programme(world):
    services.start_application(world.programme, startup=world.startup, by=world.member)

    with pytest.raises(DomainError) as refused:
        services.start_application(world.programme, startup=world.startup, by=world.owner)

    assert refused.value.code == "already_applied"
    assert Application.objects.count() == 1


def test_start_application_only_while_the_call_is_open(world):
    world.programme.applications_close_at = timezone.now() - datetime.timedelta(seconds=1)
    world.programme.save()

    with pytest.raises(DomainError) as refused:
        services.start_application(world.programme, startup=world.startup, by=world.owner)

    assert refused.value.code == "call_closed"
    assert not Application.objects.exists()


def test_a_pitch_deck_with_a_200_character_name_is_stored_under_a_generated_name(client, world):
    application = make_application(world)
    client.force_login(world.owner)
    name = "d" * 196 + ".pdf"
    deck = SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")

    response = client.post(
        f"/en/applications/{application.pk}/edit/",
        {"motivation": "Enter the market.", "goals": "Five pilots.", "pitch_deck": deck},
    )

    application.refresh_from_db()
    assert response.status_code == 302
    assert re.fullmatch(r"pitch-decks/[0-9a-f]{32}\.pdf", application.pitch_deck.name)
    assert application.pitch_deck.read() == pdf_bytes()


def test_the_consent_never_has_berlin_partner_share_with_itself(world):
    programme = world.programme
    hub = OrganisationFactory(
        name="Berlin Partner für Wirtschaft und Technologie",
        city=programme.host_city,
        is_hub_operator=True,
    )
    host = programme.host_organisation.name
    programme.co_organisers.add(hub)

    with_host = consent_wording(programme)
    programme.host_organisation = hub
    programme.save()
    programme.co_organisers.remove(hub)
    alone = consent_wording(programme)
    error = refusal(world, make_application(world), consent=False)

    assert with_host == (
        "I agree that Berlin Partner für Wirtschaft und Technologie shares this application, "
        f"including the pitch deck, with {host} for selecting participants of "
        f"{programme.title}."
    )
    assert alone == (
        "I agree that Berlin Partner für Wirtschaft und Technologie uses this application, "
        f"including the pitch deck, for selecting participants of {programme.title}."
    )
    assert error.messages == ["Agree to the use of your application for selecting participants."]
