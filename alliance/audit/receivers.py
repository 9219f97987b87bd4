"""Two corrections to what django-auditlog compares, so an entry shows only real changes."""

from decimal import Decimal

from django.db import models

EMPTY = {"None", ""}


def normalise_decimals(sender, instance, **kwargs) -> None:
    """Give each decimal the places the database returns, before the diff compares them.

    Connected before the library's `pre_save` receiver: a form's `48.2082` against the
    stored `48.20820` is no change, but their text differs.
    """
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.DecimalField):
            value = getattr(instance, field.attname)
            if isinstance(value, Decimal) and value.is_finite():
                setattr(
                    instance,
                    field.attname,
                    value.quantize(Decimal(1).scaleb(-field.decimal_places)),
                )


def drop_empty_to_empty(sender, log_entry=None, log_created=False, **kwargs) -> None:
    """Drop the changes from nothing to nothing (NULL to "", as the admin saves an
    untranslated text), and an update entry that has no other change."""
    if not log_created or not isinstance(log_entry.changes, dict):
        return
    kept = {
        name: change
        for name, change in log_entry.changes.items()
        if not (isinstance(change, (list, tuple)) and set(change) <= EMPTY)
    }
    if kept == log_entry.changes:
        return
    if not kept and log_entry.action == log_entry.Action.UPDATE:
        log_entry.delete()
        return
    log_entry.changes = kept
    log_entry.save(update_fields=["changes"])
