"""Partners' recommendations: given with a key on an application the organisation sees,
changed until the decisions are announced, audited with the key's name, and told to the
organisation's endpoints that chose `recommendation.changed`; the same twice writes nothing."""

import json

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import timezone

from alliance.errors import DomainError
from exchanges.models import ExchangeProgramme, Recommendation
from exchanges.partners import feed
from exchanges.partners.recommendations import recommend
from exchanges.partners.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from tests.api.conftest import auth, make_endpoint
from tests.factories import CityFactory, UserFactory
from tests.netutils import closed_port


def path(application) -> str:
    return f"/api/v1/partner/applications/{application.pk}/recommendation/"


def put(client, raw: str, application, body):
    return client.put(path(application), json.dumps(body), "application/json", **auth(raw))


def entries(recommendation: Recommendation):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Recommendation),
        object_pk=str(recommendation.pk),
    ).order_by("pk")


def announce(programme) -> None:
    ExchangeProgramme.objects.filter(pk=programme.pk).update(decisions_announced_at=timezone.now())


# The service.


def test_a_first_recommendation_is_created_and_audited_with_the_key(partners):
    application = partners.tlv_apps[0]

    recommendation, created = recommend(
        partners.tlv_key, application.pk, verdict="recommend", comment="  A strong team.  "
    )

    assert created is True
    recommendation = Recommendation.objects.get()
    assert (
        recommendation.organisation,
        recommendation.application,
        recommendation.verdict,
        recommendation.comment,
    ) == (partners.tel_aviv, application, "recommend", "A strong team.")
    [entry] = entries(recommendation)
    assert entry.action == LogEntry.Action.CREATE
    assert (entry.actor, entry.actor_email) == (None, None)
    assert entry.additional_data == {
        "partner_key": partners.tlv_key.pk,
        "partner_key_name": "tel-aviv-global key",
        "organisation": partners.tel_aviv.pk,
    }
    assert entry.changes_dict["verdict"] == ["None", "recommend"]


def test_the_same_recommendation_again_writes_nothing(partners):
    make_endpoint(partners.tel_aviv, events=["recommendation.changed"])
    application = partners.tlv_apps[0]
    first, _created = recommend(partners.tlv_key, application.pk, verdict="neutral", comment="Hm.")
    stamp = Recommendation.objects.get().updated_at

    again, created = recommend(partners.tlv_key, application.pk, verdict="neutral", comment="Hm. ")

    assert (created, again.pk) == (False, first.pk)
    assert Recommendation.objects.get().updated_at == stamp
    assert entries(first).count() == 1
    assert WebhookEvent.objects.count() == 1


def test_a_change_is_a_second_entry_naming_the_key_that_made_it(partners):
    application = partners.tlv_apps[0]
    recommend(partners.tlv_key, application.pk, verdict="neutral", comment="")
    second_key = partners.tlv_key.__class__.objects.create_key(
        organisation=partners.tel_aviv, name="rotation", scopes=["recommend"]
    )[0]

    recommendation, created = recommend(
        second_key, application.pk, verdict="do_not_recommend", comment="Not ready."
    )

    assert created is False
    assert Recommendation.objects.get().verdict == "do_not_recommend"
    _first, second = entries(recommendation)
    assert second.action == LogEntry.Action.UPDATE
    assert second.additional_data["partner_key"] == second_key.pk
    assert second.additional_data["partner_key_name"] == "rotation"
    assert second.changes_dict["verdict"] == ["neutral", "do_not_recommend"]
    assert second.changes_dict["comment"] == ["", "Not ready."]


def test_each_organisation_has_its_own_recommendation(partners):
    application = partners.tlv_apps[0]

    recommend(partners.tlv_key, application.pk, verdict="recommend", comment="")
    recommend(partners.warsaw_key, application.pk, verdict="neutral", comment="")

    assert sorted(Recommendation.objects.values_list("organisation__slug", "verdict")) == [
        ("tel-aviv-global", "recommend"),
        ("warsaw-hub", "neutral"),
    ]


@pytest.mark.parametrize(
    "application", ["paris's", "tel aviv's draft", "tel aviv's, no longer shared", "none"]
)
def test_an_application_out_of_view_is_not_found(partners, application):
    feed.stop_sharing(partners.tlv_apps[2])
    application_id = {
        "paris's": partners.paris_apps[0].pk,
        "tel aviv's draft": partners.tlv_draft.pk,
        "tel aviv's, no longer shared": partners.tlv_apps[2].pk,
        "none": 999_999_999,
    }[application]

    with pytest.raises(Http404):
        recommend(partners.tlv_key, application_id, verdict="recommend", comment="")

    assert not Recommendation.objects.exists()


def test_after_the_announcement_no_recommendation_is_given_or_changed(partners):
    first, second = partners.tlv_apps[:2]
    recommend(partners.tlv_key, first.pk, verdict="recommend", comment="")
    announce(partners.tlv_programme)

    for application, verdict in ((first, "neutral"), (second, "recommend")):
        with pytest.raises(DomainError) as refused:
            recommend(partners.tlv_key, application.pk, verdict=verdict, comment="")
        assert refused.value.code == "decisions_announced"

    assert list(Recommendation.objects.values_list("application", "verdict")) == [
        (first.pk, "recommend")
    ]


def test_the_audit_entry_names_the_key_without_losing_the_requests_actor(partners):
    """The key's context ends with the save: a later write of the same request keeps its actor."""
    staff = UserFactory(is_staff=True)

    with set_actor(staff):
        recommend(partners.tlv_key, partners.tlv_apps[0].pk, verdict="recommend", comment="")
        city = CityFactory()

    entry = LogEntry.objects.get_for_object(city).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, staff)
    assert entry.additional_data is None
    assert entries(Recommendation.objects.get()).get().actor is None


# The webhook event.


def test_an_endpoint_that_chose_it_is_told(partners):
    endpoint = make_endpoint(partners.tel_aviv, events=["recommendation.changed"])
    make_endpoint(partners.tel_aviv, events=["application.submitted"], url="https://b.example/")
    make_endpoint(partners.warsaw, events=["recommendation.changed"])  # co-organiser: not told
    application = partners.tlv_apps[0]

    recommendation, _created = recommend(
        partners.tlv_key, application.pk, verdict="recommend", comment="Yes."
    )

    event = WebhookEvent.objects.get()
    assert (event.organisation, event.type, event.application_ref) == (
        partners.tel_aviv,
        "recommendation.changed",
        application.pk,
    )
    body = json.loads(event.body)
    assert (body["id"], body["type"], body["version"]) == (
        event.public_id,
        "recommendation.changed",
        1,
    )
    assert body["data"]["application"]["id"] == application.pk
    assert body["data"]["recommendation"] == {
        "verdict": "recommend",
        "comment": "Yes.",
        "updated_at": recommendation.updated_at.isoformat().replace("+00:00", "Z"),
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.event, delivery.status) == (
        endpoint,
        event,
        DeliveryStatus.PENDING,
    )


def test_each_change_is_an_event(partners):
    make_endpoint(partners.tel_aviv, events=["recommendation.changed"])
    application = partners.tlv_apps[0]

    for verdict in ("recommend", "recommend", "neutral", "recommend"):
        recommend(partners.tlv_key, application.pk, verdict=verdict, comment="")

    verdicts = [
        json.loads(body)["data"]["recommendation"]["verdict"]
        for body in WebhookEvent.objects.order_by("pk").values_list("body", flat=True)
    ]
    assert verdicts == ["recommend", "neutral", "recommend"]


def test_the_event_goes_out_after_the_commit_and_a_failure_is_logged(
    client, partners, settings, django_capture_on_commit_callbacks
):
    """Through the API, with the worker run eagerly: the receiver is down (a closed port),
    so the attempt fails and is logged, and the recommendation stands."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    endpoint = make_endpoint(
        partners.tel_aviv,
        events=["recommendation.changed"],
        url=f"http://127.0.0.1:{closed_port()}/hook",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = put(client, partners.tlv_raw, partners.tlv_apps[0], {"verdict": "recommend"})

    assert response.status_code == 201
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status) == (
        DeliveryStatus.PENDING,
        1,
        None,
    )
    [attempt] = delivery.tries.all()
    assert (attempt.number, attempt.status_code) == (1, None)
    assert attempt.error
    assert Recommendation.objects.get().verdict == "recommend"


def test_without_an_endpoint_no_event_is_written(partners):
    recommend(partners.tlv_key, partners.tlv_apps[0].pk, verdict="recommend", comment="")

    assert not WebhookEvent.objects.exists()


# The API.


def test_put_creates_then_changes_then_repeats(client, partners):
    application = partners.tlv_apps[0]

    created = put(client, partners.tlv_raw, application, {"verdict": "recommend"})
    changed = put(
        client, partners.tlv_raw, application, {"verdict": "neutral", "comment": "On reflection."}
    )
    repeated = put(
        client, partners.tlv_raw, application, {"verdict": "neutral", "comment": "On reflection."}
    )

    recommendation = Recommendation.objects.get()
    stamp = recommendation.updated_at.isoformat().replace("+00:00", "Z")
    assert (created.status_code, changed.status_code, repeated.status_code) == (201, 200, 200)
    assert created.json()["verdict"] == "recommend"
    assert (
        changed.json()
        == repeated.json()
        == {
            "verdict": "neutral",
            "comment": "On reflection.",
            "updated_at": stamp,
        }
    )
    assert entries(recommendation).count() == 2


def test_get_reads_the_organisations_own(client, partners):
    application = partners.tlv_apps[0]
    none_yet = client.get(path(application), **auth(partners.tlv_raw))
    put(client, partners.tlv_raw, application, {"verdict": "recommend", "comment": "Yes."})

    own = client.get(path(application), **auth(partners.tlv_raw))
    co_organiser = client.get(path(application), **auth(partners.warsaw_raw))

    assert none_yet.status_code == 404
    assert own.status_code == 200
    assert (own.json()["verdict"], own.json()["comment"]) == ("recommend", "Yes.")
    assert co_organiser.status_code == 404  # Warsaw's own: none yet


def test_put_after_the_announcement_is_a_409_problem(client, partners):
    announce(partners.tlv_programme)

    response = put(client, partners.tlv_raw, partners.tlv_apps[0], {"verdict": "recommend"})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:start-alliance:problem:decisions-announced",
        "title": "Conflict",
        "status": 409,
        "detail": "The decisions of this programme are announced: recommendations are closed.",
    }
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["verdict"]),
        ({"verdict": "maybe"}, ["verdict"]),
        ({"verdict": None}, ["verdict"]),
        ({"verdict": "recommend", "comment": "x" * 3001}, ["comment"]),
        ({"verdict": "recommend", "comment": "a\x00b"}, ["comment"]),
        (["recommend"], ["non_field_errors"]),
        ({"verdict": "recommend", "comment": 7}, ["comment"]),
        ({"verdict": "recommend", "comment": None}, ["comment"]),
        ({"verdict": ["recommend"]}, ["verdict"]),
    ],
)
def test_bad_input_is_a_400_with_field_errors(client, partners, body, fields):
    response = put(client, partners.tlv_raw, partners.tlv_apps[0], body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert sorted({error["field"] for error in response.json()["errors"]}) == fields
    assert not Recommendation.objects.exists()


def test_the_longest_comment_is_kept(client, partners):
    response = put(
        client,
        partners.tlv_raw,
        partners.tlv_apps[0],
        {"verdict": "neutral", "comment": "é" * 3000},
    )

    assert response.status_code == 201
    assert Recommendation.objects.get().comment == "é" * 3000
