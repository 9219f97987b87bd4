"""What the portal shows of the partners' side: who read an application, and when."""

import datetime
from dataclasses import dataclass

from django.db.models import IntegerField, Max
from django.db.models.functions import Cast

from exchanges.models import Application
from exchanges.partners.models import DataAccess


@dataclass(frozen=True)
class Read:
    organisation: str
    day: datetime.date
    application: bool  # the profile and the answers
    pitch_deck: bool


def reads_of(application: Application) -> list[Read]:
    """Each organisation's reads of `application` per day (all its keys together), newest first."""
    rows = (
        DataAccess.objects.filter(application=application)
        .values("organisation__name", "day")
        .annotate(
            profile=Max(Cast("profile", IntegerField())),
            pitch=Max(Cast("pitch_deck", IntegerField())),
        )
        .order_by("-day", "organisation__name")
    )
    return [
        Read(row["organisation__name"], row["day"], bool(row["profile"]), bool(row["pitch"]))
        for row in rows
    ]
