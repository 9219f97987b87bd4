"""Which models hold personal data, and how to find one user's rows: one registry.

Each app declares its own part in a `personal_data.py` module next to its models
(alliance/accounts, alliance/mail, startups, exchanges, exchanges/partners, cities);
alliance/privacy/apps.py imports them all in `ready()` (one place, instead of every
app's AppConfig). Third-party models (Django's sessions and admin log, allauth's
addresses and authenticators, auditlog) are decided in alliance/accounts/personal_data.py,
as they all follow the account.

A model is either

- **registered** with `register(label, rows=..., fields=... | exclude=..., files=...)`:
  `rows(user)` returns the user's rows (a queryset), exported by "Download my data"; or
- **exempt** with `exempt(label, reason=...)`: it holds no personal data of the portal's
  users (the reason says why, e.g. a city's name, or a partner's contact person who has
  no account here).

tests/privacy/test_registry.py walks every installed model and fails for one that
*looks like* it holds personal data and is neither. A model looks like it does when
(`personal_data_signs`):

1. it has a ForeignKey, OneToOneField or ManyToManyField to the user model;
2. it has an EmailField or a GenericIPAddressField;
3. it has a field named like personal data: a name made of words separated by "_" of
   which one is `name`, `email`, `phone`, `ip`, `address` or `user_agent`
   (`full_name`, `actor_email`, `ip_address`, `name_de` all count).

Models are named by label ("app_label.ModelName") so a declaration never imports a
model at import time, and a part for a model that is not installed is ignored.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models

Rows = Callable[[object], models.QuerySet]

PERSONAL_NAME = re.compile(r"(^|_)(name|email|phone|ip|address|user_agent)(_|$)")


@dataclass(frozen=True)
class Part:
    """One model's personal data: how to find a user's rows and what of them to export."""

    label: str
    rows: Rows
    fields: tuple[str, ...] | None = None  # None: every concrete field but `exclude`
    exclude: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # FileFields whose files go into the export
    note: str = ""

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def field_names(self) -> list[str]:
        """The exported fields, in the model's order (the primary key always first)."""
        concrete = [field.name for field in self.model._meta.concrete_fields]
        pk = self.model._meta.pk.name
        if self.fields is not None:
            chosen = [name for name in concrete if name in self.fields]
        else:
            chosen = [name for name in concrete if name not in self.exclude]
        return [pk, *(name for name in chosen if name != pk)]


_parts: dict[str, Part] = {}
_exempt: dict[str, str] = {}


def register(
    label: str,
    *,
    rows: Rows,
    fields: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    files: Iterable[str] = (),
    note: str = "",
) -> None:
    """Declare that `label`'s rows `rows(user)` are the user's personal data."""
    if fields is not None and exclude:
        raise ValueError(f"{label}: name the fields to export or those to leave out, not both")
    _parts[label.lower()] = Part(
        label=label,
        rows=rows,
        fields=tuple(fields) if fields is not None else None,
        exclude=tuple(exclude),
        files=tuple(files),
        note=note,
    )


def exempt(label: str, *, reason: str) -> None:
    """Declare that `label` holds no personal data of the portal's users, and why."""
    if not reason.strip():
        raise ValueError(f"{label}: say why it holds no personal data")
    _exempt[label.lower()] = reason


def parts() -> list[Part]:
    """The registered parts of installed models, ordered by label."""
    return [part for key, part in sorted(_parts.items()) if _installed(part.label)]


def part_for(label: str) -> Part | None:
    return _parts.get(label.lower())


def exemption(label: str) -> str | None:
    """Why `label` holds no personal data, or None where it was not declared so."""
    return _exempt.get(label.lower())


def personal_data_signs(model: type[models.Model]) -> list[str]:
    """Why `model` looks like it holds personal data (empty: it does not), by the rules above."""
    user_label = settings.AUTH_USER_MODEL.lower()
    signs = []
    for field in model._meta.get_fields(include_hidden=False):
        if field.auto_created and not field.concrete:
            continue  # a reverse relation: the other model's field counts there
        related = getattr(field, "related_model", None)
        if field.is_relation and related is not None and related._meta.label_lower == user_label:
            signs.append(f"{field.name}: relation to the user model")
        elif isinstance(field, models.EmailField | models.GenericIPAddressField):
            signs.append(f"{field.name}: {type(field).__name__}")
        elif PERSONAL_NAME.search(field.name):
            signs.append(f"{field.name}: named like personal data")
    return signs


def _installed(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True
