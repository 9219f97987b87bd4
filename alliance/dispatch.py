"""Publishing background work after the transaction commits."""

import logging

import kombu.exceptions
import redis
from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def publish_on_commit(task: Task, **kwargs: object) -> None:
    """Queue `task` with keyword arguments once the current transaction commits.

    A broker outage never becomes an error for the user: the publish gives up
    after the broker timeouts and is logged; the periodic sweeps pick up the work
    from the database rows, which are the real record.
    """
    transaction.on_commit(lambda: _publish(task, kwargs), robust=True)


def _publish(task: Task, kwargs: dict[str, object]) -> None:
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except (kombu.exceptions.OperationalError, redis.RedisError, OSError) as error:
        # Only broker outages are swallowed: a bug (bad arguments, a failing eager task)
        # still raises. The error's text is not logged: it may carry the broker's URL.
        logger.warning(
            "Could not publish task %s (%s); its sweep will pick it up.",
            task.name,
            type(error).__name__,
        )
