"""Reminders and digests: who opted out, signed opt-out links, and sending each only once."""

from django.apps import apps
from django.core import signing
from django.db import IntegrityError, models, transaction

from alliance.links import absolute_url
from alliance.models import SentNotice

SALT = "alliance.unsubscribe"


def unsubscribe_url(person: models.Model, language: str) -> str:
    """A link that opts `person` (a user or a contact) out of reminders, without logging in."""
    token = signing.dumps({"model": person._meta.label_lower, "id": person.pk}, salt=SALT)
    return absolute_url("unsubscribe", language, token=token)


def person_for(token: str) -> models.Model | None:
    """The user or contact an opt-out token was made for, or None if it is not genuine."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if payload.get("model") not in {"alliance.user", "cities.contact"}:
        return None
    model = apps.get_model(payload["model"])
    return model.objects.filter(pk=payload.get("id")).first()


def opt_out(person: models.Model) -> None:
    """Stop reminders and digests for `person`; receipts and decisions still go."""
    field = (
        "receives_reminders"
        if person._meta.label_lower == "alliance.user"
        else ("receives_notifications")
    )
    setattr(person, field, False)
    person.save(update_fields=[field])


def first_time(kind: str, key: str) -> bool:
    """Record that notice `kind` for `key` is being sent; False if it was sent before."""
    try:
        with transaction.atomic():
            SentNotice.objects.create(kind=kind, key=key)
    except IntegrityError:
        return False
    return True
