import datetime
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from alliance.mail.models import EmailMessage
from alliance.mail.outbox import Recipient, queue_email
from alliance.privacy import registry
from alliance.privacy.export import (
    delete_expired_exports,
    delete_exports_of,
    download_url,
    request_export,
    signed_token,
)
from alliance.privacy.models import DataExport
from exchanges.models import Answer, ApplicationEvent, State, Verb
from exchanges.partners.models import ApplicationShare, DataAccess
from startups.models import Role
from tests.exchanges.conftest import make_application, world  # noqa: F401 (fixture)
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    QuestionFactory,
    UserFactory,
)
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db
NO_CONFLICT = {"conflict_of_interest": False, "abstained": False}


def give_data(user, programme, startup, *, deck: bytes):
    """An owned start-up's submitted application with an answer, history, a deck, an
    email to the user and a partner's ledger row: one of every kind of row."""
    application = ApplicationFactory(
        programme=programme,
        startup=startup,
        created_by=user,
        state=State.SUBMITTED,
        submitted_at=timezone.now(),
        consent_at=timezone.now(),
        consent_text="I agree to share this application with the partner organisations.",
    )
    application.pitch_deck.save("deck.pdf", ContentFile(deck), save=True)
    question = QuestionFactory(programme=programme)
    Answer.objects.create(application=application, question=question, value="Fintech")
    ApplicationEvent.objects.create(
        application=application,
        verb=Verb.SUBMIT,
        actor=user,
        from_state=State.DRAFT,
        to_state=State.SUBMITTED,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    queue_email(
        "startups/email/invitation",
        to=[Recipient(user.email, "en")],
        context={"startup": startup.name, "inviter": "X", "accept_url": "u", "days": "7"},
    )
    now = timezone.now()
    organisation = programme.host_organisation
    ApplicationShare.objects.create(
        organisation=organisation, application=application, application_ref=application.pk
    )
    DataAccess.objects.create(
        organisation=organisation,
        application=application,
        day=now.date(),
        profile=True,
        pitch_deck=True,
        first_at=now,
        last_at=now,
    )
    return application


@pytest.fixture
def founders(world):  # noqa: F811 (the fixture)
    """The world's owner and another founder (own start-up), with the same kinds of rows."""
    other = MembershipFactory(role=Role.OWNER, user__email="other@startup.example")
    mine = give_data(world.owner, world.programme, world.startup, deck=pdf_bytes(pages=2))
    theirs = give_data(other.user, world.programme, other.startup, deck=pdf_bytes(pages=3))
    return SimpleNamespace(
        user=world.owner, other=other.user, application=mine, their_application=theirs
    )


def build(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_export(user)
    return DataExport.objects.get(user=user)


def archive(export) -> zipfile.ZipFile:
    with export.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_export_holds_every_registered_models_rows_of_the_user_and_none_of_others(
    founders, django_capture_on_commit_callbacks
):
    export = build(founders.user, django_capture_on_commit_callbacks)

    data = json.loads(archive(export).read("data.json"))["models"]

    for part in registry.parts():
        pk = part.model._meta.pk.name
        exported = sorted(row[pk] for row in data[part.label])
        rows = part.rows(founders.user)
        if part.label == "mail.EmailMessage":  # queued after the data was collected
            rows = rows.exclude(template_key="privacy/email/export_ready")
        expected = sorted(rows.values_list("pk", flat=True))
        others = set(part.rows(founders.other).values_list("pk", flat=True))
        assert exported == expected, part.label
        assert not others & set(exported), part.label
    # Every kind of row the fixture made is there (the comparison is not of empty lists).
    non_empty = {label for label, rows in data.items() if rows}
    assert {
        "accounts.User",
        "account.EmailAddress",
        "mail.EmailMessage",
        "startups.Startup",
        "startups.Membership",
        "exchanges.Application",
        "exchanges.Answer",
        "exchanges.ApplicationEvent",
        "partners.ApplicationShare",
        "partners.DataAccess",
    } <= non_empty


def test_export_values_are_json_with_iso_times_and_no_secrets(
    founders, django_capture_on_commit_callbacks
):
    export = build(founders.user, django_capture_on_commit_callbacks)

    data = json.loads(archive(export).read("data.json"))["models"]

    (account,) = data["accounts.User"]
    assert account["email"] == "owner@startup.example"
    assert "password" not in account
    (application,) = data["exchanges.Application"]
    assert datetime.datetime.fromisoformat(application["submitted_at"]).tzinfo is not None
    assert application["consent_text"].startswith("I agree to share")
    assert "pending_comment" not in application
    assert {row["recipient"] for row in data["mail.EmailMessage"]} == {"owner@startup.example"}


def test_export_holds_the_users_pitch_deck_bytes_and_not_others(
    founders, django_capture_on_commit_callbacks
):
    export = build(founders.user, django_capture_on_commit_callbacks)

    zip_file = archive(export)
    data = json.loads(zip_file.read("data.json"))["models"]
    (application,) = data["exchanges.Application"]
    path = application["pitch_deck"]
    assert path.startswith(f"files/exchanges.Application/{founders.application.pk}/")
    with founders.application.pitch_deck.open("rb") as deck:
        assert zip_file.read(path) == deck.read()
    assert [name for name in zip_file.namelist() if name.startswith("files/")] == [path]


def test_export_is_stored_under_a_random_name_and_emailed_confidentially(
    founders, django_capture_on_commit_callbacks
):
    export = build(founders.user, django_capture_on_commit_callbacks)

    assert export.file.name.startswith("data-exports/")
    assert len(export.file.name.removeprefix("data-exports/").removesuffix(".zip")) == 32
    assert export.expires_at - export.ready_at == datetime.timedelta(hours=48)
    message = EmailMessage.objects.get(template_key="privacy/email/export_ready")
    assert message.recipient == "owner@startup.example"
    assert message.confidential is True
    assert message.language == "de"
    assert signed_token(export) in message.body_text


def test_a_second_request_while_one_is_pending_is_refused(founders):
    from alliance.errors import DomainError

    request_export(founders.user)  # the task runs after a commit that never comes

    with pytest.raises(DomainError) as refused:
        request_export(founders.user)

    assert refused.value.code == "export_pending"
    assert DataExport.objects.filter(user=founders.user).count() == 1


def test_the_page_requests_an_export_by_post_and_shows_the_download(
    client, founders, django_capture_on_commit_callbacks
):
    client.force_login(founders.user)
    page = reverse("data-export")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page)

    assert response.status_code == 302
    assert response.url == page
    export = DataExport.objects.get(user=founders.user)
    shown = client.get(page).content.decode()
    assert reverse("data-export-download", kwargs={"token": signed_token(export)}) in shown


def test_the_page_needs_a_login_and_csrf(client, founders):
    assert client.get(reverse("data-export")).status_code == 302
    client.force_login(founders.user)
    strict = client.__class__(enforce_csrf_checks=True)
    strict.force_login(founders.user)

    assert strict.post(reverse("data-export")).status_code == 403
    assert not DataExport.objects.exists()


def test_the_profile_links_to_the_page(client, founders):
    client.force_login(founders.user)

    assert reverse("data-export") in client.get(reverse("profile")).content.decode()


def test_the_link_works_for_the_user_only_and_not_after_it_expires(
    client, founders, django_capture_on_commit_callbacks
):
    export = build(founders.user, django_capture_on_commit_callbacks)
    url = reverse("data-export-download", kwargs={"token": signed_token(export)})
    assert download_url(export).endswith(f"/data-export/download/{signed_token(export)}/")

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))

    client.force_login(founders.other)
    assert client.get(url).status_code == 404

    client.force_login(founders.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content)
    assert "data.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()

    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert client.get(url).status_code == 404


def test_a_forged_token_is_not_found(client, founders, django_capture_on_commit_callbacks):
    export = build(founders.user, django_capture_on_commit_callbacks)
    client.force_login(founders.user)

    forged = f"{export.pk}:forged"

    assert client.get(reverse("data-export-download", kwargs={"token": forged})).status_code == 404


def test_delete_expired_exports_removes_rows_and_files(
    founders, django_capture_on_commit_callbacks
):
    export = build(founders.user, django_capture_on_commit_callbacks)
    storage, name = export.file.storage, export.file.name

    assert delete_expired_exports(export.expires_at - datetime.timedelta(seconds=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_expired_exports(export.expires_at) == 1

    assert not DataExport.objects.exists()
    assert not storage.exists(name)


def test_a_staff_members_reviews_and_admin_entries_are_theirs(
    world,  # noqa: F811 (the fixture)
    django_capture_on_commit_callbacks,
):
    from exchanges.models import Review

    application = make_application(world, State.SUBMITTED)
    review = Review.objects.create(
        reviewer=world.staff, application=application, comment="ok", **NO_CONFLICT
    )
    other_staff = UserFactory(is_staff=True)
    Review.objects.create(
        reviewer=other_staff, application=application, comment="fine", **NO_CONFLICT
    )

    export = build(world.staff, django_capture_on_commit_callbacks)

    data = json.loads(archive(export).read("data.json"))["models"]
    assert [row["id"] for row in data["exchanges.Review"]] == [review.pk]
    assert data["exchanges.Application"] == []


def test_a_new_export_replaces_the_older_one(founders, django_capture_on_commit_callbacks):
    first = build(founders.user, django_capture_on_commit_callbacks)
    storage, name = first.file.storage, first.file.name

    with django_capture_on_commit_callbacks(execute=True):
        second = request_export(founders.user)

    assert list(DataExport.objects.filter(user=founders.user)) == [second]
    assert not storage.exists(name)


def test_the_task_is_named_and_idempotent(founders, django_capture_on_commit_callbacks):
    from alliance.privacy.tasks import build_export_task

    export = build(founders.user, django_capture_on_commit_callbacks)
    name = export.file.name

    with django_capture_on_commit_callbacks(execute=True):
        assert build_export_task(export_id=export.pk) is True
    assert build_export_task(export_id=0) is False

    assert build_export_task.name == "privacy.build_export"
    export.refresh_from_db()
    assert export.file.name == name
    assert EmailMessage.objects.filter(template_key="privacy/email/export_ready").count() == 1


def test_delete_exports_of_a_user_leaves_others(founders, django_capture_on_commit_callbacks):
    mine = build(founders.user, django_capture_on_commit_callbacks)
    theirs = build(founders.other, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_exports_of(founders.user) == 1

    assert list(DataExport.objects.all()) == [theirs]
    assert not mine.file.storage.exists(mine.file.name)
    assert theirs.file.storage.exists(theirs.file.name)
