"""The data-access ledger: one row per key, application and day, naming the parts read.

A list page records all its applications in one statement (an upsert that keeps the parts
already recorded that day), never a query per row.
"""

from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from exchanges.partners.models import PartnerApiKey

# Keeps the parts already recorded that day (PostgreSQL and SQLite share this syntax).
_UPSERT = """
INSERT INTO partners_dataaccess
    (key_id, organisation_id, application_id, day, profile, answers, pitch_deck, first_at, last_at)
VALUES {rows}
ON CONFLICT (key_id, application_id, day) DO UPDATE SET
    profile = (partners_dataaccess.profile OR excluded.profile),
    answers = (partners_dataaccess.answers OR excluded.answers),
    pitch_deck = (partners_dataaccess.pitch_deck OR excluded.pitch_deck),
    last_at = excluded.last_at
"""


def record(
    key: PartnerApiKey,
    application_ids: Iterable[int],
    *,
    profile: bool = False,
    answers: bool = False,
    pitch_deck: bool = False,
) -> None:
    """Note that `key` read these parts of these applications today."""
    ids = sorted(set(application_ids))
    if not ids:
        return
    now = timezone.now()
    day = timezone.localdate(now, timezone.get_default_timezone())  # the founder's page's day
    row = "(%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    params: list = []
    ops = connection.ops  # values as the ORM would store them (SQLite keeps text)
    stored_day, stored_now = ops.adapt_datefield_value(day), ops.adapt_datetimefield_value(now)
    for application_id in ids:
        params += [key.pk, key.organisation_id, application_id, stored_day, profile, answers]
        params += [pitch_deck, stored_now, stored_now]
    sql = _UPSERT.replace("{rows}", ", ".join([row] * len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
