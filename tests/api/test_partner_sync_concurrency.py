"""The sync loses no row while others write (PostgreSQL, real concurrent transactions).

A client that keeps the cursor and syncs again must end with every application in its
latest state: not when many rows change in one transaction (one position, one time),
and not when a transaction that started before a page was read commits after it.
"""

import random
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from exchanges.models import Application, State
from exchanges.services import reject_application, shortlist_application, start_review
from tests.api.conftest import auth, submitted
from tests.exchanges.conftest import staff_user
from tests.factories import ProgrammeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FEED = "/api/v1/partner/applications/"


class Copy:
    """A partner's copy of its applications, kept by syncing with the cursor."""

    def __init__(self, client, raw: str) -> None:
        self.client = client
        self.raw = raw
        self.cursor = None
        self.states: dict[int, str] = {}
        self.seen = 0

    def sync(self, page_size: int = 3) -> None:
        query = {"page_size": page_size}
        if self.cursor:
            query["cursor"] = self.cursor
        response = self.client.get(FEED, query, **auth(self.raw))
        while True:
            assert response.status_code == 200, response.content
            body = response.json()
            for item in body["results"]:
                self.seen += 1
                if item["removed"]:
                    self.states.pop(item["id"], None)
                else:
                    self.states[item["id"]] = item["state"]
            self.cursor = body["cursor"] or self.cursor
            if not body["next"]:
                return
            response = self.client.get(body["next"], **auth(self.raw))


def truth(organisation) -> dict[int, str]:
    return dict(
        Application.objects.filter(
            shares__organisation=organisation, shares__removed_at__isnull=True
        ).values_list("pk", "state")
    )


def test_many_changes_in_one_transaction_share_a_position_and_all_come(client, partners):
    copy = Copy(client, partners.tlv_raw)
    copy.sync()
    staff = staff_user()

    with transaction.atomic():
        for application in partners.tlv_apps:
            start_review(application, by=staff)

    copy.sync(page_size=1)
    assert copy.states == dict.fromkeys((app.pk for app in partners.tlv_apps), "in_review")


def test_a_transaction_that_commits_after_a_page_was_read_is_not_missed(client, partners):
    """The slow one started first (lower position) and commits after a faster one was read."""
    copy = Copy(client, partners.tlv_raw)
    copy.sync()
    slow, fast = partners.tlv_apps[0], partners.paris_apps[0]
    other = submitted(
        ProgrammeFactory(host_organisation=partners.tel_aviv, slug="tel-aviv-bootcamp"),
        name="Fast one",
    )
    copy.sync()
    staff = staff_user()
    written, release = threading.Event(), threading.Event()
    errors = []

    def slow_review():
        try:
            with transaction.atomic():
                start_review(slow, by=staff)  # holds the programme's lock, uncommitted
                written.set()
                assert release.wait(30)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_review)
    thread.start()
    assert written.wait(30)
    start_review(other, by=staff)  # a later transaction, committed at once
    start_review(fast, by=staff)  # another organisation's: invisible to this copy

    copy.sync()  # reads while the slow transaction is still open
    release.set()
    thread.join(30)
    assert not errors
    copy.sync()

    assert copy.states[slow.pk] == "in_review"
    assert copy.states[other.pk] == "in_review"
    assert copy.states == truth(partners.tel_aviv)
    assert fast.pk not in copy.states


def test_a_copy_kept_by_syncing_during_concurrent_writes_equals_the_truth(partners, client):
    """Writers on three programmes hold their transactions open for random times while
    a reader syncs in a loop; at the end the copy is exactly what the organisation sees."""
    programmes = [
        ProgrammeFactory(host_organisation=partners.tel_aviv, slug=f"tlv-{n}") for n in range(3)
    ]
    batches = [
        [submitted(programme, name=f"Writer {n} app {i}") for i in range(6)]
        for n, programme in enumerate(programmes)
    ]
    staff = staff_user()
    copy = Copy(client, partners.tlv_raw)
    copy.sync()
    done = threading.Event()
    errors = []
    verbs = [start_review, shortlist_application, reject_application]

    def writer(applications, seed):
        chance = random.Random(seed)
        try:
            for verb in verbs:
                for application in applications:
                    with transaction.atomic():
                        verb(Application.objects.get(pk=application.pk), by=staff)
                        time.sleep(chance.uniform(0, 0.03))
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(batch, n)) for n, batch in enumerate(batches)]
    for thread in threads:
        thread.start()

    def reader():
        try:
            while not done.is_set():
                copy.sync()
            copy.sync()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    syncing = threading.Thread(target=reader)
    syncing.start()
    for thread in threads:
        thread.join(120)
    done.set()
    syncing.join(60)
    close_old_connections()
    copy.sync()

    assert not errors
    expected = truth(partners.tel_aviv)
    assert len(expected) == 3 + 18
    assert copy.states == expected
    assert {copy.states[app.pk] for batch in batches for app in batch} == {State.REJECTED}
