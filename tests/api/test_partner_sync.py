"""The partner feed: paging with the cursor, changes coming again, tombstones, the ledger,
pitch-deck links, ETags, and the number of queries per page."""

import datetime
from urllib.parse import unquote

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.utils import timezone

from exchanges.partners import feed
from exchanges.partners.models import DataAccess, PartnerApiKey
from exchanges.services import start_review
from tests.api.conftest import auth, make_key
from tests.exchanges.conftest import staff_user
from tests.factories import UserFactory
from tests.helpers import pdf_bytes

# Each request and each change in its own transaction, as in production: within one
# transaction every write has the same change position.
pytestmark = pytest.mark.django_db(transaction=True)

FEED = "/api/v1/partner/applications/"


def sync(client, raw, cursor=None, **params):
    """Every page from `cursor` on: (items in order, the last cursor)."""
    items = []
    query = {"page_size": 2, **params}
    if cursor:
        query["cursor"] = cursor
    response = client.get(FEED, query, **auth(raw))
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["results"]
        cursor = body["cursor"]
        if not body["next"]:
            return items, cursor
        response = client.get(body["next"], **auth(raw))


def names(items):
    return [
        item["startup"]["name"] if not item["removed"] else ("removed", item["id"])
        for item in items
    ]


def test_pages_give_each_application_once_in_change_order(client, partners):
    items, cursor = sync(client, partners.tlv_raw)

    assert names(items) == ["Shalom 0", "Shalom 1", "Shalom 2"]
    assert cursor
    again, same = sync(client, partners.tlv_raw, cursor)
    assert again == []
    assert same == cursor


def test_a_changed_application_comes_again_after_the_cursor(client, partners):
    _items, cursor = sync(client, partners.tlv_raw)

    start_review(partners.tlv_apps[1], by=staff_user())

    items, _cursor = sync(client, partners.tlv_raw, cursor)
    assert names(items) == ["Shalom 1"]
    assert items[0]["state"] == "in_review"
    assert [(step["from_state"], step["to_state"]) for step in items[0]["history"]] == [
        ("draft", "submitted"),
        ("submitted", "in_review"),
    ]


def test_a_profile_edit_moves_the_application_forward(client, partners):
    _items, cursor = sync(client, partners.tlv_raw)
    startup = partners.tlv_apps[0].startup
    startup.pitch = "We pivoted."
    startup.save()

    items, _cursor = sync(client, partners.tlv_raw, cursor)
    assert [(item["startup"]["name"], item["startup"]["pitch"]) for item in items] == [
        ("Shalom 0", "We pivoted.")
    ]


def test_the_application_as_a_partner_sees_it(client, partners):
    application = partners.tlv_apps[0]
    response = client.get(f"{FEED}{application.pk}/", {"lang": "de"}, **auth(partners.tlv_raw))

    assert response.status_code == 200
    body = response.json()
    assert body["programme"] == {"id": partners.tlv_programme.pk, "slug": "tel-aviv-residency"}
    assert body["state"] == "submitted"
    assert body["motivation"] == "We want to enter the market."
    assert body["answers"][0]["value"] == "Mid-March, two of us"
    assert body["answers"][0]["question"]["text"] == "Wann möchten Sie reisen?"
    assert body["answers"][0]["question"]["fallback_languages"] == {}
    french = client.get(f"{FEED}{application.pk}/", {"lang": "fr"}, **auth(partners.tlv_raw))
    assert french.json()["answers"][0]["question"]["text"] == "When would you like to travel?"
    assert french.json()["answers"][0]["question"]["fallback_languages"] == {"text": "en"}
    everything = client.get(f"{FEED}{application.pk}/", **auth(partners.tlv_raw)).json()
    assert everything["answers"][0]["question"]["text"] == {
        "en": "When would you like to travel?",
        "de": "Wann möchten Sie reisen?",
        "fr": None,
        "he": None,
        "zh-hans": None,
        "pl": None,
        "ar": None,
    }
    assert "fallback_languages" not in everything["answers"][0]["question"]
    assert body["consent"]["wording"].startswith("I agree")
    assert body["submitted_at"].endswith("Z")
    assert "actor" not in body["history"][0]
    assert "rank" not in body
    assert "pending_decision" not in body
    assert response["Last-Modified"]
    assert "Authorization" in response["Vary"]
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}


def test_updated_since_starts_at_that_time(client, partners):
    later = timezone.now() + datetime.timedelta(seconds=1)
    items, _cursor = sync(client, partners.tlv_raw, updated_since=later.isoformat())
    assert items == []

    items, _cursor = sync(client, partners.tlv_raw, updated_since="2020-01-01T00:00:00Z")
    assert len(items) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "WzEsMl0"[:-1] + "x"},
        {"updated_since": "yesterday"},
        {"page_size": "0"},
        {"page_size": "101"},
        {"page_size": "²"},
        {"state": "draft"},
        {"state": "nonsense"},
    ],
)
def test_bad_parameters_are_problems(client, partners, params):
    response = client.get(FEED, params, **auth(partners.tlv_raw))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == next(iter(params))


def test_filters_by_programme_and_state(client, partners):
    start_review(partners.tlv_apps[2], by=staff_user())

    items, _ = sync(client, partners.tlv_raw, state="in_review")
    assert names(items) == ["Shalom 2"]
    items, _ = sync(client, partners.tlv_raw, programme="paris-bootcamp")
    assert items == []


def test_consent_withdrawn_leaves_a_tombstone_and_a_404(client, partners):
    gone = partners.tlv_apps[0]
    _items, cursor = sync(client, partners.tlv_raw)

    feed.stop_sharing(gone)

    items, _cursor = sync(client, partners.tlv_raw, cursor)
    assert [(item["id"], item["removed"]) for item in items] == [(gone.pk, True)]
    assert set(items[0]) == {"id", "removed", "at"}
    assert client.get(f"{FEED}{gone.pk}/", **auth(partners.tlv_raw)).status_code == 404
    # The co-organiser sees the same.
    warsaw, _ = sync(client, partners.warsaw_raw)
    assert ("removed", gone.pk) in names(warsaw)


def test_a_deleted_start_up_leaves_tombstones(client, partners):
    gone = partners.paris_apps[1]
    _items, cursor = sync(client, partners.paris_raw)

    gone.startup.delete()

    items, _cursor = sync(client, partners.paris_raw, cursor)
    assert names(items) == [("removed", gone.pk)]


def test_a_programme_moved_to_another_host_leaves_the_former_hosts_view(client, partners):
    _items, tlv_cursor = sync(client, partners.tlv_raw)
    _items, warsaw_cursor = sync(client, partners.warsaw_raw)
    programme = partners.tlv_programme

    programme.host_organisation = partners.paris
    programme.save()
    programme.co_organisers.remove(partners.warsaw)

    tlv, _ = sync(client, partners.tlv_raw, tlv_cursor)
    warsaw, _ = sync(client, partners.warsaw_raw, warsaw_cursor)
    expected = sorted(("removed", app.pk) for app in partners.tlv_apps)
    assert sorted(names(tlv)) == expected
    assert sorted(names(warsaw)) == expected
    # Paris did not get the applicants' consent: it sees only its own programme's.
    paris, _ = sync(client, partners.paris_raw)
    assert names(paris) == ["Bonjour 0", "Bonjour 1"]


def test_a_list_page_takes_the_same_queries_for_2_rows_as_for_100(
    client, partners, django_assert_num_queries
):
    client.get(FEED, **auth(partners.tlv_raw))  # the key's last use is written once a minute
    # key, feed rows with start-up and programme, answers, their questions, history, ledger
    with django_assert_num_queries(6):
        small = client.get(FEED, {"page_size": 2}, **auth(partners.tlv_raw))
    with django_assert_num_queries(6):
        full = client.get(FEED, {"page_size": 100}, **auth(partners.tlv_raw))
    assert len(small.json()["results"]) == 2
    assert len(full.json()["results"]) == 3


def test_the_ledger_has_one_row_per_key_application_and_day(client, partners):
    client.get(FEED, **auth(partners.tlv_raw))
    client.get(FEED, **auth(partners.tlv_raw))
    client.get(f"{FEED}{partners.tlv_apps[0].pk}/", **auth(partners.tlv_raw))
    _second, raw = make_key(partners.tel_aviv, name="rotation")
    client.get(FEED, **auth(raw))

    rows = DataAccess.objects.filter(organisation=partners.tel_aviv)
    assert rows.count() == 6
    assert set(rows.values_list("profile", "answers", "pitch_deck")) == {(True, True, False)}
    assert DataAccess.objects.filter(organisation=partners.paris).count() == 0


def test_the_founder_sees_which_organisation_read_the_application(client, partners):
    application = partners.tlv_apps[0]
    client.get(f"{FEED}{application.pk}/", **auth(partners.tlv_raw))
    DataAccess.objects.update(day=datetime.date(2026, 3, 3))
    owner = application.startup.memberships.get().user

    client.force_login(owner)
    page = client.get(f"/en/applications/{application.pk}/").content.decode()

    assert "Tel Aviv Global read your application on 3 March 2026." in page
    assert "Warsaw Hub" not in page
    assert "Paris&amp;Co" not in page  # the organisation (the host's zone may say Europe/Paris)


def test_etag_and_304(client, partners):
    first = client.get(FEED, **auth(partners.tlv_raw))
    etag = first["ETag"]

    again = client.get(FEED, HTTP_IF_NONE_MATCH=etag, **auth(partners.tlv_raw))
    assert again.status_code == 304
    start_review(partners.tlv_apps[0], by=staff_user())
    changed = client.get(FEED, HTTP_IF_NONE_MATCH=etag, **auth(partners.tlv_raw))
    assert changed.status_code == 200


@pytest.fixture
def with_deck(partners, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = partners.tlv_apps[1]
    application.pitch_deck.save("deck.pdf", ContentFile(pdf_bytes()), save=True)
    return application


def deck_link(client, partners, application, raw=None):
    body = client.get(f"{FEED}{application.pk}/", **auth(raw or partners.tlv_raw)).json()
    return body["pitch_deck"]


def test_a_pitch_deck_link_downloads_with_the_key_and_is_in_the_ledger(client, partners, with_deck):
    link = deck_link(client, partners, with_deck)
    detail = client.get(f"{FEED}{with_deck.pk}/", **auth(partners.tlv_raw))
    assert not detail.has_header("Last-Modified")  # the link expires: only the ETag tells
    left = datetime.datetime.fromisoformat(link["expires_at"]) - timezone.now()
    assert datetime.timedelta(minutes=15) <= left < datetime.timedelta(minutes=16)

    download = client.get(link["url"], **auth(partners.tlv_raw))

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    read = DataAccess.objects.get(organisation=partners.tel_aviv, application=with_deck)
    assert read.pitch_deck is True
    # Another key of the same organisation (a rotation) may follow it too.
    _second, raw = make_key(partners.tel_aviv, name="rotation")
    assert client.get(link["url"], **auth(raw)).status_code == 200


def test_a_pitch_deck_link_is_no_bearer_token(client, partners, with_deck):
    link = deck_link(client, partners, with_deck)

    assert client.get(link["url"]).status_code == 404  # no key
    assert client.get(link["url"], **auth(partners.paris_raw)).status_code == 404  # another's
    # The co-organiser sees the application too, but the link was made for Tel Aviv.
    assert client.get(link["url"], **auth(partners.warsaw_raw)).status_code == 404
    _recommender, raw = make_key(partners.tel_aviv, scopes=["recommend"], name="no read")
    assert client.get(link["url"], **auth(raw)).status_code == 404  # no read scope


def test_a_pitch_deck_link_stops_working(client, partners, with_deck):
    link = deck_link(client, partners, with_deck)
    token = link["url"].split("?token=")[1]
    key = auth(partners.tlv_raw)

    assert client.get(f"{link['url']}x", **key).status_code == 404  # tampered
    other = "pitch-decks/other.pdf"
    assert client.get(f"/private/{other}?token={token}", **key).status_code == 404
    feed.stop_sharing(with_deck)
    assert client.get(link["url"], **key).status_code == 404  # no longer shared


def test_an_expired_or_revoked_pitch_deck_link_is_refused(client, partners, with_deck):
    link = deck_link(client, partners, with_deck)
    path, token = link["url"].split("?token=")
    signer = signing.Signer(salt="partners.pitch-deck")
    claims = signer.unsign_object(unquote(token))
    past = int(timezone.now().timestamp()) - 1
    expired = signer.sign_object({**claims, "e": past}, compress=True)
    key = auth(partners.tlv_raw)

    assert client.get(f"{path}?token={expired}", **key).status_code == 404
    assert client.get(link["url"], **key).status_code == 200
    PartnerApiKey.objects.filter(pk=partners.tlv_key.pk).update(revoked=True)
    assert client.get(link["url"], **key).status_code == 404


def test_staff_see_the_ledger_on_the_applications_admin_page(client, partners):
    application = partners.tlv_apps[0]
    client.get(f"{FEED}{application.pk}/", **auth(partners.tlv_raw))
    admin = UserFactory(is_staff=True, is_superuser=True)

    client.force_login(admin)
    page = client.get(f"/admin/exchanges/application/{application.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "read by partner organisations (the data-access ledger)" in html.lower()
    assert "Tel Aviv Global" in html
    assert 'name="data_accesses-TOTAL_FORMS" value="1"' in html


def test_a_question_edit_moves_its_programmes_applications(client, partners):
    _items, cursor = sync(client, partners.tlv_raw)
    question = partners.tlv_programme.questions.get()
    question.text_en = "When do you travel?"
    question.save()

    items, _cursor = sync(client, partners.tlv_raw, cursor)

    assert sorted(names(items)) == ["Shalom 0", "Shalom 1", "Shalom 2"]
    assert {item["answers"][0]["question"]["text"]["en"] for item in items} == {
        "When do you travel?"
    }


def test_a_deleted_question_moves_them_too(client, partners):
    _items, cursor = sync(client, partners.tlv_raw)
    partners.tlv_programme.questions.get().delete()

    items, _cursor = sync(client, partners.tlv_raw, cursor)

    assert [item["answers"] for item in items] == [[], [], []]


def test_renamed_slugs_move_the_rows_that_show_them(client, partners):
    _items, cursor = sync(client, partners.tlv_raw)
    programme = partners.tlv_programme
    programme.slug = "tel-aviv-residency-2027"
    programme.save()

    items, cursor = sync(client, partners.tlv_raw, cursor)
    assert {item["programme"]["slug"] for item in items} == {"tel-aviv-residency-2027"}
    assert len(items) == 3

    city = partners.tlv_apps[0].startup.city
    city.slug = "renamed-city"
    city.save()
    items, _cursor = sync(client, partners.tlv_raw, cursor)
    assert {item["startup"]["city"] for item in items} == {"renamed-city"}


def test_an_empty_first_page_still_gives_a_cursor_to_continue_from(client, partners):
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    items, cursor = sync(client, partners.tlv_raw, updated_since=future)
    assert items == []
    assert cursor

    start_review(partners.tlv_apps[2], by=staff_user())

    items, _cursor = sync(client, partners.tlv_raw, cursor)
    assert names(items) == ["Shalom 2"]


def test_a_co_organiser_removed_from_its_own_side_loses_the_applications(client, partners):
    _items, cursor = sync(client, partners.warsaw_raw)

    partners.warsaw.co_organised_programmes.remove(partners.tlv_programme)

    items, _cursor = sync(client, partners.warsaw_raw, cursor)
    assert sorted(names(items)) == sorted(("removed", app.pk) for app in partners.tlv_apps)


def test_a_page_with_a_pitch_deck_keeps_its_etag_within_a_minute(client, partners, with_deck):
    etags = [
        client.get(f"{FEED}{with_deck.pk}/", **auth(partners.tlv_raw))["ETag"] for _ in range(3)
    ]
    # Three reads within a second or two: at most one minute boundary falls between them.
    assert etags[0] == etags[1] or etags[1] == etags[2]
