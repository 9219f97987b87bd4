import time

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core.signals import request_started
from django.db import transaction

from alliance import dispatch
from alliance.celery_app import app as project_app
from alliance.dispatch import forget_broker_failures, publish_on_commit
from alliance.mail.models import EmailMessage, EmailStatus
from alliance.mail.outbox import Recipient, queue_email, queue_rendered
from alliance.settings import redis_db_url
from tests.netutils import closed_port, silent_port
from tests.workers import black_hole

pytestmark = pytest.mark.django_db

RECEIVED: list[str] = []


@project_app.task(name="tests.collect")
def collect(*, value: str) -> None:
    RECEIVED.append(value)


@pytest.fixture(autouse=True)
def fresh_request():
    forget_broker_failures()  # as at the start of a request
    yield
    forget_broker_failures()


@pytest.fixture
def received():
    RECEIVED.clear()
    yield RECEIVED
    RECEIVED.clear()


def make_app(broker_url: str) -> tuple[Celery, list]:
    """Return a Celery app with the project's configuration on `broker_url`, and a task."""
    app = Celery("dispatch-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    received: list = []

    @app.task(name="tests.remember", shared=False)
    def remember(*, value: str) -> None:
        received.append(value)

    return app, received


def test_celery_app_configuration():
    conf = project_app.conf

    assert (conf.accept_content, conf.task_serializer) == (["json"], "json")
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost) == (True, True)
    assert conf.task_publish_retry is False
    options = conf.broker_transport_options
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 1.5
    assert options["max_retries"] == 0
    assert options["visibility_timeout"] > conf.task_time_limit


def test_publish_on_commit_runs_task_after_commit(django_capture_on_commit_callbacks, received):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        publish_on_commit(collect, value="after-commit")
        assert received == []  # nothing runs before the commit

    assert len(callbacks) == 1
    assert received == ["after-commit"]


def test_publish_on_commit_publishes_nothing_on_rollback(
    django_capture_on_commit_callbacks, received
):
    def publish_then_fail() -> None:
        with transaction.atomic():
            publish_on_commit(collect, value="rolled-back")
            raise RuntimeError("roll back")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="roll back"),
    ):
        publish_then_fail()

    assert callbacks == []
    assert received == []


def test_publish_on_commit_reports_a_bug_as_an_error_not_as_an_outage(
    django_capture_on_commit_callbacks, caplog, received
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish_on_commit(collect, unexpected="argument")

    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert [record.exc_info[0] for record in errors] == [TypeError]
    assert not [record for record in caplog.records if record.name == "alliance.dispatch"]
    assert received == []


def test_publish_on_commit_survives_a_broker_that_refuses(
    django_capture_on_commit_callbacks, caplog, settings
):
    app, received = make_app(f"redis://127.0.0.1:{closed_port()}/0")
    started = time.monotonic()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish_on_commit(app.tasks["tests.remember"], value="lost?")

    assert time.monotonic() - started < 5 * settings.REDIS_TIMEOUT  # the bug: a 40 s hang
    assert received == []
    assert [r.getMessage() for r in caplog.records if r.name == "alliance.dispatch"] == [
        "Could not publish task tests.remember (OperationalError); its sweep will pick it up."
    ]


def test_publish_on_commit_survives_a_broker_that_never_answers(
    django_capture_on_commit_callbacks, settings
):
    with silent_port() as port:
        app, received = make_app(f"redis://127.0.0.1:{port}/0")
        started = time.monotonic()

        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            publish_on_commit(app.tasks["tests.remember"], value="lost?")

        elapsed = time.monotonic() - started
    assert elapsed < 5 * settings.REDIS_TIMEOUT  # the bug: a 40 s hang
    assert received == []


@pytest.mark.redis
def test_published_task_runs_on_a_real_worker(settings, django_capture_on_commit_callbacks):
    app, received = make_app(redis_db_url(settings.REDIS_URL, settings.REDIS_BROKER_DB))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        project_app.set_current()  # start_worker made the test app current; tasks use ours
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            publish_on_commit(app.tasks["tests.remember"], value="through-redis")

        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)

    assert received == ["through-redis"]


KEY = "exchanges/email/application_submitted"
CONTEXT = {"startup": "Orbit", "programme": "TLV", "host_city": "Tel Aviv", "application_url": "-"}


def queue_to(*addresses: str) -> None:
    queue_email(KEY, to=[Recipient(a, "en") for a in addresses], context=CONTEXT)


def test_the_emails_of_one_transaction_go_in_one_task(
    django_capture_on_commit_callbacks, mailoutbox
):
    def rolled_back() -> None:
        with transaction.atomic():
            queue_to("rolled-back@example.com")
            raise RuntimeError("roll back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        queue_to("a@example.com", "b@example.com")
        with transaction.atomic():  # a savepoint that is released
            queue_to("c@example.com")
        with pytest.raises(RuntimeError):
            rolled_back()
        queue_rendered(
            template_key="account/email/password_reset_key",
            recipient="d@example.com",
            language="en",
            subject="Password reset",
            text="Reset: -",
            confidential=True,
        )

    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ]
    assert set(EmailMessage.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_emails_queued_after_a_savepoint_that_published_rolled_back_still_go(
    django_capture_on_commit_callbacks, mailoutbox
):
    def rolled_back() -> None:
        with transaction.atomic():
            queue_to("rolled-back@example.com")  # the first of the transaction
            raise RuntimeError("roll back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        with pytest.raises(RuntimeError):
            rolled_back()
        queue_to("kept@example.com")

    assert len(callbacks) == 1
    assert [m.to for m in mailoutbox] == [["kept@example.com"]]


def test_separate_transactions_publish_separately(django_capture_on_commit_callbacks, mailoutbox):
    for address in ("a@example.com", "b@example.com"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            queue_to(address)
        assert len(callbacks) == 1

    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]


def test_after_a_broker_failure_the_rest_of_the_request_publishes_nothing(
    django_capture_on_commit_callbacks, caplog
):
    with black_hole() as hole:
        app, received = make_app(f"redis://127.0.0.1:{hole.port}/0")
        task = app.tasks["tests.remember"]
        request_started.send(sender=None)
        for value in ("first", "second", "third"):
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                publish_on_commit(task, value=value)
        tried_in_one_request = hole.connections

        request_started.send(sender=None)  # the next request tries again
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            publish_on_commit(task, value="next request")
        tried_in_two_requests = hole.connections

    assert (tried_in_one_request, tried_in_two_requests) == (1, 2)
    assert received == []
    failed = "Could not publish task tests.remember (OperationalError); its sweep will pick it up."
    skipped = (
        "Did not publish task tests.remember: the broker failed moments ago; "
        "its sweep will pick it up."
    )
    assert [r.getMessage() for r in caplog.records if r.name == "alliance.dispatch"] == [
        failed,
        skipped,
        skipped,
        failed,
    ]


def test_held_publishes_nothing_from_its_block_and_the_rows_wait(
    django_capture_on_commit_callbacks, mailoutbox, received
):
    # The commit (here: the captured callbacks run) happens inside the block.
    with dispatch.held(), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish_on_commit(collect, value="held")
        queue_to("held@example.com")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish_on_commit(collect, value="after")

    assert received == ["after"]
    assert mailoutbox == []
    assert list(EmailMessage.objects.values_list("recipient", "status")) == [
        ("held@example.com", EmailStatus.QUEUED)
    ]
