"""Rows a data migration made, made again when a flush removed them.

`flush` (which tests that need real transactions run after each test) empties every
table and then sends `post_migrate`, as after `migrate`: Django recreates its content
types and permissions then, and this does the same for a data migration's rows (the
staff roles, the default review criteria). Only when they are all gone: rows staff
changed since are never touched.
"""

import importlib
from collections.abc import Callable
from types import SimpleNamespace

from django.apps import apps as global_apps
from django.db import connections
from django.db.models.signals import post_migrate


def remake_when_flushed(
    app_config,
    steps: list[tuple[str, str]],
    missing: Callable[[object, str], bool],
) -> None:
    """After each migrate or flush of `app_config`, call each (migration, function) of
    `steps` again, in order, if `missing(apps, using)` says their rows are gone (a later
    migration that adds to an earlier one's rows is a later step)."""

    def handler(sender, using, apps=global_apps, **kwargs) -> None:
        if not missing(apps, using):
            return
        for migration, function in steps:
            module = importlib.import_module(f"{app_config.name}.migrations.{migration}")
            getattr(module, function)(apps, SimpleNamespace(connection=connections[using]))

    post_migrate.connect(handler, sender=app_config, weak=False, dispatch_uid=steps[0][0])
