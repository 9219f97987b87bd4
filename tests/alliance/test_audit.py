"""The audit log: every staff write, with the person and the values, in History and the list."""

import datetime

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from alliance.audit.registry import AUDITED, missing_labels
from alliance.errors import DomainError
from cities.models import Contact
from exchanges import services
from exchanges.models import Application, State, Verb
from startups.models import Membership, Role
from startups.services import transfer_ownership
from tests.exchanges import conftest as exchanges
from tests.factories import (
    AgreementFactory,
    CityFactory,
    ContactFactory,
    StartupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EMAIL_TEMPLATE = "mail.emailtemplate"
NOT_AUDITED = ("mail.emailmessage", "mail.sentnotice")
STAFF = "reviewer@berlin-partner.example"
LOG_LIST = reverse("admin:auditlog_logentry_changelist")


world = exchanges.world  # the fixture: a programme, a start-up's team and a staff member
make_application = exchanges.make_application


@pytest.fixture
def staff_client(client, world):
    world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)
    return client


def history_url(obj_or_model, pk=None) -> str:
    opts = obj_or_model._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_history", args=[pk or obj_or_model.pk]
    )


def entries_of(obj_or_model, pk=None) -> list[tuple]:
    """(action, person's email, changes) of an object's entries, oldest first."""
    return [
        (entry.get_action_display(), entry.actor.email if entry.actor else None, entry.changes)
        for entry in LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj_or_model),
            object_pk=str(pk or obj_or_model.pk),
        ).order_by("timestamp", "pk")
    ]


def listed(client, **query) -> list[str]:
    """The object names the staff list shows for `query`."""
    response = client.get(LOG_LIST, query)
    assert response.status_code == 200
    return [entry.object_repr for entry in response.context["cl"].result_list]


def counted(client, **query) -> int:
    """How many entries the staff list finds for `query`."""
    response = client.get(LOG_LIST, query)
    assert response.status_code == 200
    return response.context["cl"].result_count


def post_action(client, action: str, application: Application):
    return client.post(
        reverse("admin:exchanges_application_changelist"),
        {"action": action, "_selected_action": [application.pk], "post": "yes"},
    )


def test_every_label_of_the_audit_list_names_a_model():
    assert missing_labels() == [], (
        "alliance/audit/registry.py AUDITED names models that do not exist; update their labels"
    )


def test_the_audited_models_are_these_and_not_the_outbox():
    audited = {model._meta.label_lower for model in auditlog.get_models()}

    assert audited == {
        "cities.city",
        "cities.partnerorganisation",
        "cities.contact",
        "cities.cooperationagreement",
        "startups.startup",
        "startups.membership",
        "exchanges.exchangeprogramme",
        "exchanges.programmequestion",
        "exchanges.application",
        "exchanges.review",
        "exchanges.score",
        "exchanges.reviewcriterion",
        "exchanges.recommendation",
        "partners.partnerapikey",
        "partners.webhookendpoint",
        "accounts.user",
        EMAIL_TEMPLATE,
    }
    assert audited == {entry.label for entry in AUDITED}
    assert not audited & set(NOT_AUDITED)


def test_staging_clearing_and_announcing_through_the_admin_are_in_history_and_list(
    staff_client, world
):
    application = make_application(world, State.IN_REVIEW)

    post_action(staff_client, "stage_accept", application)
    post_action(staff_client, "clear_stage", application)
    post_action(staff_client, "stage_reject", application)
    staff_client.post(
        reverse("admin:exchanges_exchangeprogramme_changelist"),
        {"action": "announce_decisions", "_selected_action": [world.programme.pk]},
    )

    application.refresh_from_db()
    assert application.state == State.REJECTED
    *staff_writes, announced = entries_of(application)[1:]  # after the factory's create
    assert staff_writes == [
        ("update", STAFF, {"pending_decision": ["", "accept"]}),
        ("update", STAFF, {"pending_decision": ["accept", ""]}),
        ("update", STAFF, {"pending_decision": ["", "reject"]}),
    ]
    action, person, changes = announced
    assert (action, person) == ("update", STAFF)
    assert (changes["state"], changes["pending_decision"]) == (
        ["in_review", "rejected"],
        ["reject", ""],
    )
    assert set(changes) == {"state", "pending_decision", "decided_at", "updated_at"}

    history = staff_client.get(history_url(application))
    html = history.content.decode()
    assert history.status_code == 200
    assert html.count(f'<td class="audit-person">{STAFF}</td>') == 4
    assert "<td>in_review</td><td>rejected</td>" in html
    assert "<td>accept</td><td></td>" in html
    content_type = ContentType.objects.get_for_model(Application).pk
    assert listed(staff_client, content_type=content_type) == [str(application)] * 5
    listing = staff_client.get(LOG_LIST, {"content_type": content_type}).content.decode()
    assert "pending_decision: reject → ; state: in_review → rejected" in listing


def test_an_admin_delete_is_in_the_deleted_objects_history_and_the_list(staff_client, world):
    contact = ContactFactory(full_name="Dana Delete", email="dana@partner.example")
    pk = contact.pk

    response = staff_client.post(reverse("admin:cities_contact_delete", args=[pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Contact.objects.filter(pk=pk).exists()
    action, person, changes = entries_of(Contact, pk)[-1]
    assert (action, person) == ("delete", STAFF)
    assert (changes["full_name"], changes["email"]) == (
        ["Dana Delete", "None"],
        ["dana@partner.example", "None"],
    )
    history = staff_client.get(history_url(Contact, pk)).content.decode()
    assert "Dana Delete (deleted)" in history
    assert "<td>dana@partner.example</td><td>None</td>" in history
    assert "Dana Delete" in listed(
        staff_client, content_type=ContentType.objects.get_for_model(Contact).pk
    )


def test_an_agreement_change_with_its_signatories_is_logged(staff_client, world):
    agreement = AgreementFactory(signed_year=2018)
    signatory = ContactFactory(organisation=agreement.partner_organisation, full_name="Sam Signer")

    response = staff_client.post(
        reverse("admin:cities_cooperationagreement_change", args=[agreement.pk]),
        {
            "hub_organisation": agreement.hub_organisation_id,
            "partner_organisation": agreement.partner_organisation_id,
            "status": agreement.status,
            "signed_year": "2019",
            "signed_on": "",
            "signatories": [signatory.pk],
        },
    )

    assert response.status_code == 302
    assert entries_of(agreement)[1:] == [
        ("update", STAFF, {"signed_year": ["2018", "2019"]}),
        (
            "update",
            STAFF,
            {"signatories": {"type": "m2m", "operation": "add", "objects": ["Sam Signer"]}},
        ),
    ]
    history = staff_client.get(history_url(agreement)).content.decode()
    assert "<td>2018</td><td>2019</td>" in history
    assert "Sam Signer" in history


def test_an_email_template_edit_in_the_admin_is_logged(staff_client, world):
    template = apps.get_model(EMAIL_TEMPLATE).objects.order_by("key").first()
    form = {
        build_localized_fieldname(name, code): getattr(
            template, build_localized_fieldname(name, code)
        )
        or ""
        for name in ("subject", "body")
        for code in AVAILABLE_LANGUAGES
    }
    old_subject = template.subject_de
    form["subject_de"] = "Neuer Betreff"

    response = staff_client.post(
        reverse(
            f"admin:{template._meta.app_label}_{template._meta.model_name}_change",
            args=[template.pk],
        ),
        form,
    )

    assert response.status_code == 302
    action, person, changes = entries_of(template)[-1]
    assert (action, person) == ("update", STAFF)
    assert changes["subject_de"] == [old_subject, "Neuer Betreff"]
    assert changes["customised"] == ["False", "True"]
    history = staff_client.get(history_url(template)).content.decode()
    assert "<td>Neuer Betreff</td>" in history
    assert str(template) in listed(
        staff_client, content_type=ContentType.objects.get_for_model(template).pk
    )


def test_a_translated_model_logs_the_columns_of_each_language(staff_client, world):
    city = world.programme.host_city
    old_name = city.name_de

    with translation.override("de"):
        city.name_de = "Neustadt"
        city.save()

    assert entries_of(city)[-1][2] == {"name_de": [old_name, "Neustadt"]}


def test_an_ownership_transfer_is_logged(world):
    transfer_ownership(world.startup, to=world.member, by=world.owner)

    target = Membership.objects.get(user=world.member)
    assert target.role == Role.OWNER
    assert entries_of(target)[-1][2] == {"role": ["member", "owner"]}


def test_the_list_filters_by_person_object_type_and_date(staff_client, world):
    application = make_application(world, State.IN_REVIEW)  # by the system (no request)
    post_action(staff_client, "stage_accept", application)
    old = CityFactory(name_en="Oldtown")
    LogEntry.objects.filter(object_pk=str(old.pk), content_type__model="city").update(
        timestamp=datetime.datetime(2020, 5, 4, 12, tzinfo=datetime.UTC)
    )
    staff_pk = get_user_model().objects.get(email=STAFF).pk
    application_type = ContentType.objects.get_for_model(Application).pk
    everything = counted(staff_client)

    by_staff = listed(staff_client, actor=staff_pk)
    by_system = counted(staff_client, actor="system")
    of_applications = listed(staff_client, content_type=application_type)
    in_2020 = listed(staff_client, timestamp__year="2020")
    on_the_day = listed(
        staff_client, timestamp__year="2020", timestamp__month="5", timestamp__day="4"
    )

    assert by_staff == [str(application)]
    assert by_system == everything - 1 > 3
    assert of_applications == [str(application)] * 2
    assert in_2020 == on_the_day == ["Oldtown"]


def test_a_partner_keys_writes_are_named_and_filtered_apart_from_the_systems(staff_client, world):
    city = CityFactory(name_en="Keytown")
    LogEntry.objects.log_create(
        city,
        action=LogEntry.Action.UPDATE,
        changes={"name_en": ["Keytown", "Keyville"]},
        additional_data={"partner_key": 7, "partner_key_name": "tel-aviv key", "organisation": 3},
    )
    everything, by_system = counted(staff_client), counted(staff_client, actor="system")

    by_keys = staff_client.get(LOG_LIST, {"actor": "partner-keys"})

    assert by_keys.context["cl"].result_count == 1
    assert by_system == everything - 1
    assert "partner API key “tel-aviv key”" in by_keys.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"changes__icontains": "accept"},
        {"actor__email": STAFF},
        {"object_repr__startswith": "a"},
        {"remote_addr": "127.0.0.1"},
    ],
    ids=lambda query: next(iter(query)),
)
def test_a_lookup_outside_the_filters_is_refused(staff_client, query):
    assert staff_client.get(LOG_LIST, query).status_code == 400


def test_only_staff_with_the_view_permission_see_the_list_and_nobody_edits_it(client, world):
    entry = LogEntry.objects.first()
    change = reverse("admin:auditlog_logentry_change", args=[entry.pk])
    delete = reverse("admin:auditlog_logentry_delete", args=[entry.pk])
    add = reverse("admin:auditlog_logentry_add")
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(
            codename="view_logentry", content_type=ContentType.objects.get_for_model(LogEntry)
        )
    )
    everything = UserFactory(is_staff=True, is_superuser=True)

    client.force_login(world.owner)  # a founder
    founder = client.get(LOG_LIST).status_code
    client.force_login(UserFactory(is_staff=True))
    unpermitted = client.get(LOG_LIST).status_code
    client.force_login(viewer)
    seen = client.get(LOG_LIST).status_code, client.get(change).status_code
    client.force_login(everything)
    refused = (
        client.get(add).status_code,
        client.post(change, {"object_repr": "forged"}).status_code,
        client.post(delete, {"post": "yes"}).status_code,
    )
    client.post(LOG_LIST, {"action": "delete_selected", "_selected_action": [entry.pk]})

    assert founder in {302, 403}
    assert unpermitted == 403
    assert seen == (200, 200)
    assert refused == (403, 403, 403)
    assert LogEntry.objects.filter(pk=entry.pk, object_repr=entry.object_repr).exists()


def test_a_rolled_back_service_call_leaves_no_entry(world):
    first = make_application(world, State.IN_REVIEW)
    second = make_application(world, State.IN_REVIEW, startup=StartupFactory())
    services.stage_decision(first, verb=Verb.ACCEPT, by=world.staff)
    services.stage_decision(second, verb=Verb.ACCEPT, by=world.staff)
    Application.objects.filter(pk=second.pk).update(state=State.WITHDRAWN)
    before = LogEntry.objects.count()

    with pytest.raises(DomainError):
        services.announce_decisions(world.programme, by=world.staff)

    assert Application.objects.get(pk=first.pk).state == State.IN_REVIEW
    assert LogEntry.objects.count() == before


def test_a_job_outside_a_request_is_logged_as_the_system(staff_client, world):
    application = make_application(
        world, State.ACCEPTED, confirm_by=timezone.now() - datetime.timedelta(hours=1)
    )

    services.expire_application(application)  # as the Celery job calls it

    action, person, changes = entries_of(application)[-1]
    assert (action, person) == ("update", None)
    assert changes["state"] == ["accepted", "expired"]
    history = staff_client.get(history_url(application)).content.decode()
    assert '<td class="audit-person">system</td>' in history


def test_no_password_hash_and_no_login_time_is_stored(client):
    user = UserFactory(email="founder@startup.example")
    user.set_password("a-new-secret-99")
    user.save()
    client.force_login(user)  # sets last_login

    stored = entries_of(user)
    assert [action for action, _person, _changes in stored] == ["create"]  # no other entry
    assert stored[0][2]["email"] == ["None", "founder@startup.example"]
    assert not {"password", "last_login"} & set(stored[0][2])
