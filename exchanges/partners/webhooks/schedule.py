"""When a webhook delivery is tried again, and when it is given up.

The default schedule (settings.WEBHOOK_RETRY_SCHEDULE, seconds after each failed
attempt): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over 27 h 35 min.
A delivery is given up when its last retry fails. Its schedule starts at its first
attempt: an event that waited behind a failing one (per endpoint, events go in order) is
tried as long as any other, and an endpoint that fails for days is disabled with its
events kept (delivery.py).
"""

import datetime

from django.conf import settings

from exchanges.partners import pitch_decks

DEFAULT = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)


def delays() -> tuple[float, ...]:
    return tuple(float(seconds) for seconds in settings.WEBHOOK_RETRY_SCHEDULE)


def max_attempts() -> int:
    return len(delays()) + 1


def total() -> datetime.timedelta:
    """How long an event is tried for."""
    return datetime.timedelta(seconds=sum(delays()))


def give_up_at(start: datetime.datetime) -> datetime.datetime:
    """A delivery first tried at `start` has its last retry by about this time."""
    return start + total()


def retry_at(attempts: int, now: datetime.datetime) -> datetime.datetime | None:
    """When to try again after `attempts` failed ones; None when that was the last."""
    waits = delays()
    if attempts > len(waits):
        return None
    return now + datetime.timedelta(seconds=waits[attempts - 1])


def deck_link_expiry(start: datetime.datetime) -> datetime.datetime:
    """A pitch-deck link in an event works while the event may still be retried, and then
    for the partner API's link lifetime (it is no bearer token: it needs a key too)."""
    return pitch_decks.expiry(give_up_at(start))
