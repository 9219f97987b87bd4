"""Issue 15 (10, 12): the pitch deck a programme requires, the founder's own file name,
the review page before submitting, limits and deadline on the form, and what follows."""

import datetime
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance.errors import DomainError
from alliance.uploads import shown_file_name
from exchanges import services
from exchanges.models import Application, State
from exchanges.rules import Problem
from tests.exchanges.conftest import make_application
from tests.factories import QuestionFactory
from tests.helpers import pdf_bytes, text_of

pytestmark = pytest.mark.django_db

FILLED = {"motivation": "Enter the Israeli market.", "goals": "Five pilots.", "needs": ["office"]}


def upload(name: str = "Orbit deck 2026.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def owner_client(client, world):
    client.force_login(world.owner)
    return client


# The pitch deck a programme requires


def test_submit_application_refuses_a_missing_pitch_deck_the_programme_requires(world):
    world.programme.requires_pitch_deck = True
    world.programme.save()
    application = make_application(world)

    with pytest.raises(DomainError) as refused:
        services.submit_application(application, by=world.owner, consent=True)

    assert refused.value.code == "not_submittable"
    assert refused.value.problems == [
        Problem("pitch_deck", "Upload your pitch deck (a PDF): this programme needs one.")
    ]
    assert Application.objects.get().state == State.DRAFT


def test_submit_application_takes_no_deck_where_the_programme_needs_none(world):
    application = make_application(world)  # the factory's programme needs no deck

    services.submit_application(application, by=world.owner, consent=True)

    assert Application.objects.get().state == State.SUBMITTED


def test_a_new_programme_requires_a_pitch_deck(world):
    from exchanges.models import ExchangeProgramme

    assert ExchangeProgramme._meta.get_field("requires_pitch_deck").default is True


def test_submit_application_names_each_problem_with_its_field(world):
    world.programme.requires_pitch_deck = True
    world.programme.save()
    question = QuestionFactory(programme=world.programme, text_en="Travel dates?")
    application = make_application(world, motivation=" ", goals="")

    with pytest.raises(DomainError) as refused:
        services.submit_application(application, by=world.owner, consent=False)

    assert [problem.field for problem in refused.value.problems] == [
        "motivation",
        "goals",
        "pitch_deck",
        f"question_{question.pk}",
        "consent",
    ]


# The founder's own file name


def test_update_draft_keeps_the_uploaders_file_name(owner_client, world):
    application = make_application(world)

    owner_client.post(
        f"/en/applications/{application.pk}/edit/",
        {**FILLED, "pitch_deck": upload("Orbit deck 2026.pdf")},
    )
    application.refresh_from_db()
    html = owner_client.get(f"/en/applications/{application.pk}/edit/").content.decode()

    assert application.pitch_deck.name.startswith("pitch-decks/")
    assert application.pitch_deck_filename == "Orbit deck 2026.pdf"
    assert f'<a href="{application.pitch_deck.url}">Orbit deck 2026.pdf</a>' in html
    assert "pitch-decks/" not in text_of(
        owner_client.get(f"/en/applications/{application.pk}/edit/")
    )


def test_clearing_the_pitch_deck_forgets_its_file_name(owner_client, world):
    application = make_application(world)
    edit = f"/en/applications/{application.pk}/edit/"
    owner_client.post(edit, {**FILLED, "pitch_deck": upload()})

    owner_client.post(edit, {**FILLED, "pitch_deck-clear": "on"})

    application.refresh_from_db()
    assert (application.pitch_deck.name, application.pitch_deck_filename) == ("", "")


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("deck.pdf", "deck.pdf"),
        ("C:\\Users\\ada\\Decks\\Orbit.pdf", "Orbit.pdf"),
        ("/home/ada/.hidden.pdf", "hidden.pdf"),
        ("tab\tand\u202ertl.pdf", "tab and rtl.pdf"),
        ("a" * 200 + ".pdf", "a" * 115 + "….pdf"),
    ],
)
def test_shown_file_name_keeps_a_safe_short_name(uploaded, shown):
    assert shown_file_name(uploaded) == shown
    assert len(shown_file_name(uploaded)) <= 120


# The form: marks, limits, deadline, errors at the field


def test_the_form_marks_what_a_submission_needs_and_states_the_limits(owner_client, world):
    world.programme.requires_pitch_deck = True
    world.programme.save()
    QuestionFactory(programme=world.programme, text_en="Travel dates?", required=True)
    QuestionFactory(programme=world.programme, text_en="Anything else?", required=False)
    application = make_application(world)

    html = owner_client.get(f"/en/applications/{application.pk}/edit/").content.decode()
    text = text_of(owner_client.get(f"/en/applications/{application.pk}/edit/"))

    assert "Fields marked * are required." in text
    assert "Why do you want to take part? * (required)" in text
    assert "What do you want to reach in the market? * (required)" in text
    assert "Pitch deck (PDF): * (required)" in text
    assert "Travel dates? * (required)" in text
    assert "Anything else? (required)" not in text
    assert "At most 3,000 characters." in text
    assert 'maxlength="3000"' in html
    assert 'data-counter-left="%(count)s characters left"' in html
    assert 'aria-describedby="id_motivation_helptext"' in html


def test_the_form_shows_the_deadline(owner_client, world):
    world.programme.host_city.timezone = "Asia/Jerusalem"
    world.programme.host_city.save()
    world.programme.applications_close_at = datetime.datetime(
        2099, 3, 1, 10, 0, tzinfo=datetime.UTC
    )
    world.programme.save()
    application = make_application(world)

    text = text_of(owner_client.get(f"/en/applications/{application.pk}/edit/"))

    assert "Deadline: March 1, 2099, noon (Asia/Jerusalem)" in text or (
        "Deadline: 1 March 2099" in text
    )


def test_review_from_an_incomplete_form_puts_each_problem_at_its_field(owner_client, world):
    world.programme.requires_pitch_deck = True
    world.programme.save()
    application = make_application(world, motivation="", goals="")

    response = owner_client.post(
        f"/en/applications/{application.pk}/edit/",
        {"motivation": "Saved anyway.", "goals": "", "action": "review"},
    )

    html = response.content.decode()
    application.refresh_from_db()
    assert response.status_code == 200
    assert application.motivation == "Saved anyway."
    assert "There is a problem" in html
    assert '<a href="#id_goals">Describe your goals in the market.</a>' in html
    assert (
        '<a href="#id_pitch_deck">Upload your pitch deck (a PDF): this programme needs one.</a>'
        in html
    )
    assert 'aria-invalid="true" aria-describedby="id_goals_helptext id_goals_error"' in html
    assert 'id="id_goals_error"' in html
    assert 'aria-invalid="true"' not in html.split('name="motivation"')[1].split(">")[0]


# The review page


def test_the_review_page_shows_the_whole_application(owner_client, world):
    question = QuestionFactory(programme=world.programme, text_en="Travel dates?")
    application = make_application(world, needs=["visa", "office"])
    owner_client.post(
        f"/en/applications/{application.pk}/edit/",
        {
            **FILLED,
            "needs": ["visa", "office"],
            f"question_{question.pk}": "In May.",
            "pitch_deck": upload(),
        },
    )

    text = text_of(owner_client.get(f"/en/applications/{application.pk}/review/"))

    startup = world.startup
    for shown in (
        "Check your application before you submit it",
        (
            f"This is the whole application as {world.programme.host_organisation.name} and "
            "Berlin Partner will see it."
        ),
        startup.name,
        startup.pitch,
        "Enter the Israeli market.",
        "Five pilots.",
        "Office space Visa support",
        "Travel dates? In May.",
        "Orbit deck 2026.pdf",
        "Submit the application",
    ):
        assert shown in text
    assert "There is a problem" not in text


def test_the_review_page_lists_what_is_missing_with_links_to_the_form(owner_client, world):
    application = make_application(world, goals="")

    html = owner_client.get(f"/en/applications/{application.pk}/review/").content.decode()

    assert "There is a problem" in html
    assert (
        f'<a href="/en/applications/{application.pk}/edit/#id_goals">'
        "Describe your goals in the market.</a>" in html
    )
    assert "Complete what is missing (listed at the top of this page) before you submit." in html
    assert "Submit the application" not in html


def test_submitting_without_consent_marks_the_consent_box(owner_client, world):
    application = make_application(world)

    response = owner_client.post(f"/en/applications/{application.pk}/submit/", {})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_consent">Agree to share your application with' in html
    assert 'aria-invalid="true" aria-describedby="id_consent_error"' in html
    assert Application.objects.get().state == State.DRAFT


def test_a_member_sees_the_review_but_an_owner_submits(client, world):
    application = make_application(world)
    client.force_login(world.member)

    text = text_of(client.get(f"/en/applications/{application.pk}/review/"))

    assert "An owner of the start-up submits the application." in text
    assert "Submit the application" not in text


def test_the_review_page_of_a_submitted_application_goes_to_its_page(owner_client, world):
    application = make_application(world, State.SUBMITTED)

    response = owner_client.get(f"/en/applications/{application.pk}/review/")

    assert response["Location"] == f"/en/applications/{application.pk}/"


# After submitting


def test_the_success_message_mentions_the_receipt(owner_client, world):
    application = make_application(world)

    response = owner_client.post(
        f"/en/applications/{application.pk}/submit/", {"consent": "on"}, follow=True
    )

    html = response.content.decode()
    assert (
        "Your application has been submitted. We have emailed a receipt to "
        "owner@startup.example and to the rest of your team." in html
    )
    assert 'class="alert alert--success" role="status" tabindex="-1" autofocus' in html


def test_the_status_page_says_what_happens_next(owner_client, world):
    programme = world.programme
    programme.starts_on = datetime.date(2099, 5, 4)
    programme.ends_on = datetime.date(2099, 5, 14)
    programme.save()
    application = make_application(world, State.SUBMITTED)

    response = owner_client.get(f"/en/applications/{application.pk}/")
    text = text_of(response)

    assert "What happens next" in text
    # The deadline's sentence ends at its zone: "(Tel Aviv time). Then…", no space before it.
    assert re.search(r"</span>\s+\.", response.content.decode()) is None
    assert (
        f"Then Berlin Partner and {programme.host_organisation.name} review the applications "
        "together and announce their decisions by email before the programme starts on "
        "May 4, 2099." in text
    ) or "before the programme starts on 4 May 2099." in text


def test_the_status_page_after_the_call_closed(owner_client, world):
    application = make_application(world, State.IN_REVIEW)
    world.programme.applications_close_at = timezone.now() - datetime.timedelta(days=1)
    world.programme.save()

    text = text_of(owner_client.get(f"/en/applications/{application.pk}/"))

    assert "The call has closed. Berlin Partner and" in text


def test_the_status_page_of_a_waitlisted_application(owner_client, world):
    application = make_application(world, State.WAITLISTED, rank=1)

    text = text_of(owner_client.get(f"/en/applications/{application.pk}/"))

    assert "Your start-up is on the waitlist." in text
    assert f"you then have {world.programme.confirmation_days} days to confirm." in text


def test_changing_the_profile_from_the_review_page_leads_back_to_it(owner_client, world):
    application = make_application(world)
    review = f"/en/applications/{application.pk}/review/"
    html = owner_client.get(review).content.decode()
    link = re.search(r'<a href="([^"]+)">Change the start-up.s profile</a>', html)

    edit = owner_client.get(unescape(link.group(1)))
    form = edit.context["form"]
    unchanged = {
        name: "" if form[name].value() is None else form[name].value() for name in form.fields
    }
    unchanged["team_size"] = "9"
    saved = owner_client.post(unescape(link.group(1)), unchanged)

    assert edit.status_code == 200
    assert (saved.status_code, saved["Location"]) == (302, review)
    world.startup.refresh_from_db()
    assert world.startup.team_size == 9


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (
            State.SUBMITTED,
            (
                "Then Berlin Partner reviews the applications and announces its decisions by email "
                "before the programme starts on 4 May 2099."
            ),
        ),
        (
            State.CONFIRMED,
            (
                "Your seat is confirmed. The programme runs in {city} from 4 May 2099 to 14 May "
                "2099; Berlin Partner will contact your team about the details."
            ),
        ),
    ],
)
def test_where_berlin_partner_hosts_it_does_not_work_with_itself(owner_client, world, state, said):
    programme = world.programme
    programme.starts_on = datetime.date(2099, 5, 4)
    programme.ends_on = datetime.date(2099, 5, 14)
    programme.save()
    host = programme.host_organisation
    host.is_hub_operator = True
    host.save()
    application = make_application(world, state)

    text = text_of(owner_client.get(f"/en/applications/{application.pk}/"))

    assert said.format(city=programme.host_city.name) in text
    assert f"Berlin Partner and {host.name}" not in text
    assert f"{host.name} and Berlin Partner" not in text
