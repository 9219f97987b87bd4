"""The founder's pages: apply, edit, upload, submit, follow, confirm, withdraw, delete."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance.accounts.roles import REVIEWER, assign_role
from alliance.mail.models import EmailMessage
from exchanges import services
from exchanges.models import Application, ApplicationEvent, State, Verb
from tests.exchanges.conftest import make_application
from tests.factories import MembershipFactory, QuestionFactory, UserFactory
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db

FILLED = {"motivation": "Enter the Israeli market.", "goals": "Five pilots.", "needs": ["office"]}


def upload(content: bytes, name: str = "deck.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def owner_client(client, world):
    client.force_login(world.owner)
    return client


# Starting


def test_programme_page_shows_each_startup_and_its_eligibility(owner_client, world):
    other = MembershipFactory(user=world.owner, startup__stage="idea").startup
    world.programme.allowed_stages = ["seed"]
    world.programme.save()

    html = owner_client.get(f"/en/programmes/{world.programme.slug}/").content.decode()

    assert f'<input type="hidden" name="startup" value="{world.startup.slug}">' in html
    assert f'value="{other.slug}"' not in html
    assert "The programme is not open to start-ups at the idea stage." in html


def test_apply_starts_a_draft_and_opens_it(owner_client, world):
    response = owner_client.post(
        f"/en/programmes/{world.programme.slug}/apply/", {"startup": world.startup.slug}
    )

    application = Application.objects.get()
    assert response["Location"] == f"/en/applications/{application.pk}/edit/"
    assert (application.state, application.created_by) == (State.DRAFT, world.owner)


def test_apply_with_someone_elses_startup_is_404(owner_client, world):
    stranger = MembershipFactory().startup

    response = owner_client.post(
        f"/en/programmes/{world.programme.slug}/apply/", {"startup": stranger.slug}
    )

    assert response.status_code == 404
    assert not Application.objects.exists()


def test_apply_twice_opens_the_existing_application(owner_client, world):
    application = make_application(world)

    response = owner_client.post(
        f"/en/programmes/{world.programme.slug}/apply/", {"startup": world.startup.slug}
    )

    assert response["Location"] == f"/en/applications/{application.pk}/"
    assert Application.objects.count() == 1


# Editing and uploading


def test_edit_saves_texts_needs_answers_and_the_pitch_deck(owner_client, world, settings):
    question = QuestionFactory(programme=world.programme, text_en="How many travellers?")
    application = make_application(world, motivation="", goals="")
    deck = pdf_bytes(pages=2)

    response = owner_client.post(
        f"/en/applications/{application.pk}/edit/",
        {**FILLED, f"question_{question.pk}": "2", "pitch_deck": upload(deck, "Our Deck.pdf")},
    )

    application.refresh_from_db()
    assert response.status_code == 302
    assert (application.motivation, application.goals, application.needs) == (
        "Enter the Israeli market.",
        "Five pilots.",
        ["office"],
    )
    assert application.answers.get().value == "2"
    name = application.pitch_deck.name
    assert name.startswith("pitch-decks/")
    assert "Our Deck" not in name
    assert (settings.MEDIA_ROOT / "private" / name).read_bytes() == deck


def test_the_pitch_deck_is_served_to_the_team_and_staff_only(client, world):
    application = make_application(world)
    client.force_login(world.owner)
    client.post(
        f"/en/applications/{application.pk}/edit/", {**FILLED, "pitch_deck": upload(pdf_bytes())}
    )
    url = Application.objects.get().pitch_deck.url
    viewer = assign_role(UserFactory(), REVIEWER)
    world.programme.reviewers.add(viewer)
    unassigned = assign_role(UserFactory(), REVIEWER)  # a reviewer of other programmes

    client.force_login(world.member)
    member = client.get(url)
    client.force_login(UserFactory())
    stranger = client.get(url)
    client.force_login(viewer)
    staff = client.get(url)
    client.force_login(unassigned)
    other_staff = client.get(url)
    client.logout()
    anonymous = client.get(url)

    assert (member.status_code, staff.status_code) == (200, 200)
    assert (stranger.status_code, other_staff.status_code, anonymous.status_code) == (
        404,
        404,
        404,
    )
    assert b"".join(member.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "The file is not a PDF document."),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "The file is larger than 10 MB."),
        (b"", "The submitted file is empty."),
        (b"Slides about our start-up", "The file is not a PDF document."),
        (
            b"%PDF-1.7\nthis is not really a PDF",
            "The file is not a readable PDF document.",
        ),
        (pdf_bytes(password="secret"), "The PDF is protected by a password."),
    ],
    ids=["executable", "too-large", "empty", "text", "broken", "encrypted"],
)
def test_bad_uploads_are_refused_and_nothing_is_saved(
    owner_client, world, settings, content, message
):
    application = make_application(world, motivation="before")

    response = owner_client.post(
        f"/en/applications/{application.pk}/edit/",
        {**FILLED, "pitch_deck": upload(content)},
    )

    application.refresh_from_db()
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (application.motivation, application.pitch_deck.name) == ("before", "")
    assert not (settings.MEDIA_ROOT / "private").exists()


def test_script_in_text_fields_is_rendered_inert(owner_client, world):
    application = make_application(world)
    owner_client.post(
        f"/en/applications/{application.pk}/edit/",
        {**FILLED, "motivation": "<script>alert('x')</script>"},
    )

    html = owner_client.get(f"/en/applications/{application.pk}/").content.decode()

    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# Submitting


def test_submit_with_consent_sends_the_receipt(owner_client, world):
    application = make_application(world)

    response = owner_client.post(f"/en/applications/{application.pk}/submit/", {"consent": "on"})
    page = owner_client.get(response["Location"]).content.decode()

    assert response["Location"] == f"/en/applications/{application.pk}/"
    assert Application.objects.get().state == State.SUBMITTED
    assert "Your application has been submitted." in page
    assert EmailMessage.objects.filter(template_key__endswith="application_submitted").count() == 2


def test_a_double_submit_gives_one_submission(owner_client, world):
    application = make_application(world)

    first = owner_client.post(f"/en/applications/{application.pk}/submit/", {"consent": "on"})
    second = owner_client.post(f"/en/applications/{application.pk}/submit/", {"consent": "on"})

    assert first["Location"] == second["Location"] == f"/en/applications/{application.pk}/"
    assert ApplicationEvent.objects.count() == 1
    assert EmailMessage.objects.count() == 2


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        ("late", "The call for applications closed on"),
        ("no_consent", "Agree to share your application with"),
        ("unverified", "Confirm your email address before you submit"),
        ("member", "Only an owner of"),
        ("empty", "Tell the host city why you want to take part."),
    ],
)
def test_refused_submits_show_their_message_and_change_nothing(client, world, arrange, message):
    application = make_application(world, motivation="" if arrange == "empty" else "Why")
    user = world.member if arrange == "member" else world.owner
    if arrange == "late":
        world.programme.applications_close_at = timezone.now() - datetime.timedelta(minutes=1)
        world.programme.save()
    if arrange == "unverified":
        user.email_verified_at = None
        user.save()
    client.force_login(user)
    data = {} if arrange == "no_consent" else {"consent": "on"}

    response = client.post(f"/en/applications/{application.pk}/submit/", data, follow=True)

    assert message in response.content.decode()
    assert Application.objects.get().state == State.DRAFT
    assert not EmailMessage.objects.exists()


# Following, confirming, withdrawing, deleting


def test_my_applications_and_the_timeline(owner_client, world):
    application = make_application(world)
    services.submit_application(application, by=world.owner, consent=True)

    listing = owner_client.get("/en/applications/").content.decode()
    detail = owner_client.get(f"/en/applications/{application.pk}/").content.decode()

    assert f'<a href="/en/applications/{application.pk}/">{world.programme.title}</a>' in listing
    assert '<span class="badge badge--submitted state state-submitted">submitted</span>' in detail
    # started, submitted; the deadline in the founder's time and in the host city's
    assert detail.count("<time datetime=") == 4


def test_a_staged_decision_is_never_visible(owner_client, world):
    application = make_application(world, State.IN_REVIEW)
    services.stage_decision(application, verb=Verb.REJECT, by=world.staff)

    html = owner_client.get(f"/en/applications/{application.pk}/").content.decode()

    assert '<span class="badge badge--in_review state state-in_review">in review</span>' in html
    assert "reject" not in html.lower()


def test_confirm_an_acceptance(owner_client, world):
    application = make_application(world, State.ACCEPTED)

    page = owner_client.get(f"/en/applications/{application.pk}/").content.decode()
    owner_client.post(f"/en/applications/{application.pk}/confirm/")

    assert "Confirm our seat" in page
    assert "(your time, Berlin)" in page
    assert Application.objects.get().state == State.CONFIRMED


def test_withdraw_asks_first(owner_client, world):
    application = make_application(world, State.SHORTLISTED)

    question = owner_client.get(f"/en/applications/{application.pk}/withdraw/")
    assert Application.objects.get().state == State.SHORTLISTED
    owner_client.post(f"/en/applications/{application.pk}/withdraw/")

    assert "Withdraw the application?" in question.content.decode()
    assert Application.objects.get().state == State.WITHDRAWN


def test_delete_a_draft_asks_first(owner_client, world):
    application = make_application(world)

    question = owner_client.get(f"/en/applications/{application.pk}/delete/")
    response = owner_client.post(f"/en/applications/{application.pk}/delete/")

    assert "Delete the draft?" in question.content.decode()
    assert response["Location"] == "/en/applications/"
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/en/applications/{pk}/"),
        ("get", "/en/applications/{pk}/edit/"),
        ("post", "/en/applications/{pk}/edit/"),
        ("post", "/en/applications/{pk}/submit/"),
        ("post", "/en/applications/{pk}/withdraw/"),
        ("post", "/en/applications/{pk}/confirm/"),
        ("post", "/en/applications/{pk}/delete/"),
    ],
)
def test_another_startups_application_is_404(client, world, method, path):
    application = make_application(world)
    client.force_login(MembershipFactory().user)

    response = getattr(client, method)(path.format(pk=application.pk), {"consent": "on"})

    assert response.status_code == 404
    assert Application.objects.get().state == State.DRAFT


def test_forged_posts_are_refused(world):
    from django.test import Client

    application = make_application(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)

    response = client.post(f"/en/applications/{application.pk}/submit/", {"consent": "on"})

    assert response.status_code == 403
    assert Application.objects.get().state == State.DRAFT


def test_my_applications_keep_their_query_count(owner_client, world, django_assert_num_queries):
    make_application(world)
    owner_client.get("/en/applications/")  # the session and its user are cached now
    # The applications with their programmes and start-ups.
    with django_assert_num_queries(1):
        few = owner_client.get("/en/applications/")

    for _ in range(8):
        make_application(world, startup=MembershipFactory(user=world.owner).startup)
    with django_assert_num_queries(1):
        many = owner_client.get("/en/applications/")

    assert (few.status_code, many.status_code) == (200, 200)
    assert len(many.context["applications"]) == 9


def test_application_detail_keeps_its_query_count(owner_client, world, django_assert_num_queries):
    application = make_application(world)
    services.submit_application(application, by=world.owner, consent=True)
    path = f"/en/applications/{application.pk}/"
    owner_client.get(path)  # the session and its user are cached now
    # The application, the viewer's membership (once), the history, the answers, which
    # partner organisations read it (the ledger), the network's cities (a time's zone is
    # named after one).
    with django_assert_num_queries(6):
        few = owner_client.get(path)

    for text in ("Dates?", "Travellers?", "Visa?"):
        question = QuestionFactory(programme=world.programme, text_en=text)
        application.answers.create(question=question, value="yes")
    services.start_review(application, by=world.staff)
    services.shortlist_application(application, by=world.staff)
    with django_assert_num_queries(6):
        many = owner_client.get(path)
    services.accept_application(application, by=world.staff)
    with django_assert_num_queries(6):  # confirm and withdraw both offered: still one read
        accepted = owner_client.get(path)

    assert (few.status_code, many.status_code, accepted.status_code) == (200, 200, 200)
    assert (accepted.context["can_confirm"], accepted.context["can_withdraw"]) == (True, True)


def test_clearing_the_pitch_deck_keeps_the_other_edits_and_removes_the_file(
    owner_client, world, settings, django_capture_on_commit_callbacks
):
    application = make_application(world)
    owner_client.post(
        f"/en/applications/{application.pk}/edit/", {**FILLED, "pitch_deck": upload(pdf_bytes())}
    )
    stored = settings.MEDIA_ROOT / "private" / Application.objects.get().pitch_deck.name

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/en/applications/{application.pk}/edit/",
            {**FILLED, "motivation": "changed", "pitch_deck-clear": "on"},
        )

    application.refresh_from_db()
    assert response.status_code == 302
    assert (application.motivation, application.pitch_deck.name) == ("changed", "")
    assert not stored.exists()


def test_replacing_or_deleting_leaves_no_file_behind(
    owner_client, world, settings, django_capture_on_commit_callbacks
):
    application = make_application(world)
    edit = f"/en/applications/{application.pk}/edit/"
    owner_client.post(edit, {**FILLED, "pitch_deck": upload(pdf_bytes())})
    first = settings.MEDIA_ROOT / "private" / Application.objects.get().pitch_deck.name
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(edit, {**FILLED, "pitch_deck": upload(pdf_bytes(pages=2))})
    second = settings.MEDIA_ROOT / "private" / Application.objects.get().pitch_deck.name

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/en/applications/{application.pk}/delete/")

    assert not first.exists()
    assert not second.exists()


def test_reviewing_from_the_form_saves_what_was_typed_first(owner_client, world):
    application = make_application(world, motivation="old")

    response = owner_client.post(
        f"/en/applications/{application.pk}/edit/",
        {**FILLED, "motivation": "typed just now", "action": "review"},
    )

    application.refresh_from_db()
    assert response["Location"] == f"/en/applications/{application.pk}/review/"
    assert (application.state, application.motivation) == (State.DRAFT, "typed just now")


def test_refusals_are_announced_as_alerts(owner_client, world):
    application = make_application(world)

    response = owner_client.post(f"/en/applications/{application.pk}/submit/", {}, follow=True)

    html = response.content.decode()
    assert 'role="alert"' in html
    assert html.index('role="alert"') < html.index("Agree to share your application with")


def test_a_huge_upload_is_refused_before_it_is_read(owner_client, world):
    application = make_application(world)

    response = owner_client.post(
        f"/en/applications/{application.pk}/edit/",
        {**FILLED},
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert "A pitch deck may have at most 10 MB" in response.content.decode()


def test_withdraw_page_only_for_what_can_be_withdrawn(owner_client, world):
    application = make_application(world)

    assert owner_client.get(f"/en/applications/{application.pk}/withdraw/").status_code == 404


@pytest.mark.parametrize("name", ["pitch-decks/", "pitch-decks/.", "pitch-decks//x.pdf"])
def test_private_paths_that_are_not_files_are_404(client, world, name, settings):
    (settings.MEDIA_ROOT / "private" / "pitch-decks").mkdir(parents=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(f"/private/{name}").status_code == 404
