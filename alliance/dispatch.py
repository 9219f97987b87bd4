"""Publishing background work after the transaction commits."""

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import kombu.exceptions
import redis
from asgiref.local import Local
from celery import Task
from celery.signals import task_prerun
from django.core.signals import request_started
from django.db import transaction
from django.dispatch import receiver

logger = logging.getLogger(__name__)

BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.RedisError, OSError)
# After a broker failure the rest of the request or task publishes nothing (the sweeps
# deliver); outside a request or task (a command, a shell) this long.
SKIP_AFTER_FAILURE_SECONDS = 60

_outages = Local()  # per thread and async context: broker URL -> when it last failed
_holds = Local()  # per thread and async context: how many held() blocks are open


@contextmanager
def held() -> Iterator[None]:
    """Publish nothing from this block (its commits included): the rows wait for the sweeps.

    For bulk set-up such as the demo data: in development tasks run eagerly, so sending
    its emails would print every one of them in full to the console.
    """
    _holds.depth = getattr(_holds, "depth", 0) + 1
    try:
        yield
    finally:
        _holds.depth -= 1


def publish_on_commit(task: Task, **kwargs: object) -> None:
    """Queue `task` with keyword arguments once the current transaction commits.

    A broker outage never becomes an error for the user: the publish gives up
    after the broker timeouts and is logged; the periodic sweeps pick up the work
    from the database rows, which are the real record.
    """
    transaction.on_commit(lambda: _publish(task, kwargs), robust=True)


def publish_ids_on_commit(task: Task, ids: Iterable[int], *, using: str | None = None) -> None:
    """Queue `task(ids=[...])` once the transaction commits, one task for all its ids.

    Every call in one transaction adds to the same task, so a silent broker costs one
    timeout per transaction, not one per call. Ids added in a savepoint that rolls back
    stay in the task: their rows are gone, and the task skips ids it does not find.
    """
    connection = transaction.get_connection(using)
    batches = connection.__dict__.setdefault("_pending_id_batches", {})
    batch = batches.get(task.name)
    if batch is None or not batch.waiting(connection):
        batch = batches[task.name] = _Batch(task)
        batch.ids.extend(ids)
        # Outside a transaction this runs at once; in one, it is dropped with the
        # savepoint or transaction it was registered in, which waiting() notices.
        transaction.on_commit(batch, using=using, robust=True)
    else:
        batch.ids.extend(ids)


class _Batch:
    """Ids for one publish of `task` after the commit; the on_commit callback itself."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.ids: list[int] = []
        self.done = False

    def __call__(self) -> None:
        self.done = True
        _publish(self.task, {"ids": list(dict.fromkeys(self.ids))})

    def waiting(self, connection) -> bool:
        """Whether this batch will still be published when the transaction commits."""
        return not self.done and any(
            func is self for _sids, func, _robust in connection.run_on_commit
        )


@receiver(request_started)
def forget_broker_failures(**kwargs: object) -> None:
    """A new request or task tries the broker again."""
    _outages.failed = {}


task_prerun.connect(forget_broker_failures)


def _publish(task: Task, kwargs: dict[str, object]) -> None:
    if getattr(_holds, "depth", 0):
        logger.debug("Held task %s: its rows wait for the sweep.", task.name)
        return
    eager = task.app.conf.task_always_eager  # runs here: no broker to fail
    broker = str(task.app.conf.broker_url)
    failed = getattr(_outages, "failed", {})
    if not eager and time.monotonic() - failed.get(broker, -1e9) < SKIP_AFTER_FAILURE_SECONDS:
        logger.warning(
            "Did not publish task %s: the broker failed moments ago; its sweep will pick it up.",
            task.name,
        )
        return
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except BROKER_ERRORS as error:
        # Only broker outages are swallowed: a bug (bad arguments, a failing eager task)
        # still raises. The error's text is not logged: it may carry the broker's URL.
        logger.warning(
            "Could not publish task %s (%s); its sweep will pick it up.",
            task.name,
            type(error).__name__,
        )
        if not eager:
            _outages.failed = {**failed, broker: time.monotonic()}
