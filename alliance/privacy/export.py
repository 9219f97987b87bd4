"""Download my data: a ZIP of every registered model's rows for a user, and their files.

`data.json` holds, by model label, the rows that each app's part of the registry
(alliance.privacy.registry) finds for the user, with the fields it exports: values as
JSON (times in ISO 8601, relations as the related row's key, files as their path in the
ZIP); the files themselves (pitch decks) are under `files/<label>/<pk>/`.

Always built by the task `privacy.build_export` (run in the request in development,
where tasks are eager), stored as a private file under a random name, and offered by a
signed link that expires after DATA_EXPORT_LINK_HOURS; expired exports are deleted by
`delete_expired_exports(now)` (called by the retention job).
"""

import datetime
import json
import logging
import secrets
import tempfile
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.accounts.models import User
from alliance.dispatch import publish_on_commit
from alliance.errors import DomainError
from alliance.links import absolute_url
from alliance.mail.outbox import local_time, queue_email, recipients
from alliance.privacy import registry
from alliance.privacy.models import DataExport

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
SIGNING_SALT = "alliance.privacy.export"
FOLDER = "data-exports"
STALE_AFTER = datetime.timedelta(hours=1)


def link_hours() -> int:
    return getattr(settings, "DATA_EXPORT_LINK_HOURS", 48)


def collect(user: User) -> tuple[dict, list[tuple[str, FieldFile]]]:
    """The user's rows by model label, and the files to add (path in the ZIP, file)."""
    data: dict[str, list[dict]] = {}
    files: list[tuple[str, FieldFile]] = []
    for part in registry.parts():
        names = part.field_names()
        fields = [part.model._meta.get_field(name) for name in names]
        rows = []
        for row in part.rows(user).order_by("pk"):
            values = {}
            for field in fields:
                if isinstance(field, models.FileField):
                    stored = getattr(row, field.name)
                    values[field.name] = None
                    if stored and field.name in part.files:
                        path = f"files/{part.label}/{row.pk}/{PurePosixPath(stored.name).name}"
                        values[field.name] = path
                        files.append((path, stored))
                    elif stored:
                        values[field.name] = PurePosixPath(stored.name).name
                    continue
                values[field.name] = field.value_from_object(row)
            rows.append(values)
        data[part.label] = rows
    return data, files


def write_archive(user: User, target) -> None:
    """Write the user's ZIP (data.json and files/) to the binary file `target`."""
    data, files = collect(user)
    document = {
        "format": FORMAT_VERSION,
        "user": user.pk,
        "created_at": timezone.now(),
        "notes": {part.label: part.note for part in registry.parts() if part.note},
        "models": data,
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        for path, stored in files:
            try:
                with stored.open("rb") as source, archive.open(path, "w") as entry:
                    while chunk := source.read(1024 * 1024):
                        entry.write(chunk)
            except FileNotFoundError:  # a row whose file is gone: its data is still there
                logger.warning("data export: a registered file is missing")


@transaction.atomic
def request_export(user: User) -> DataExport:
    """Start building the user's export, unless one is already being built."""
    pending = DataExport.objects.select_for_update().pending().filter(user=user).first()
    if pending is not None and pending.requested_at < timezone.now() - STALE_AFTER:
        # Its task was lost (a broker outage): publish it again rather than wait forever.
        publish_on_commit(_task(), export_id=pending.pk)
        return pending
    if pending is not None:
        raise _already_pending()
    try:
        with transaction.atomic():  # a savepoint: a request at the same moment loses
            export = DataExport.objects.create(user=user)
    except IntegrityError as error:
        raise _already_pending() from error
    publish_on_commit(_task(), export_id=export.pk)
    return export


def _already_pending() -> DomainError:
    return DomainError(
        "export_pending",
        _("Your data is already being collected. We will email you when it is ready."),
    )


def _task():
    from alliance.privacy.tasks import build_export_task  # noqa: PLC0415 - tasks imports this module

    return build_export_task


def build_export(export: DataExport) -> DataExport:
    """Build the ZIP, store it under a random name, and email the user the link."""
    if export.ready_at is not None:
        return export  # built already: a task delivered twice
    user = export.user
    with tempfile.TemporaryFile() as spool:
        write_archive(user, spool)
        spool.seek(0)
        name = f"{FOLDER}/{secrets.token_urlsafe(24)}.zip"
        stored = export.file.storage.save(name, File(spool, name=name))
    now = timezone.now()
    with transaction.atomic():
        locked = DataExport.objects.select_for_update().filter(pk=export.pk).first()
        if locked is None or locked.ready_at is not None:
            export.file.storage.delete(stored)
            return locked or export
        locked.file.name = stored
        locked.ready_at = now
        locked.expires_at = now + datetime.timedelta(hours=link_hours())
        locked.save(update_fields=["file", "ready_at", "expires_at"])
        # One copy of a person's data at a time: the new one replaces the older ones.
        older = DataExport.objects.filter(user=user, ready_at__isnull=False).exclude(pk=locked.pk)
        _delete(list(older))
        _queue_ready_email(locked)
    return locked


def _queue_ready_email(export: DataExport) -> None:
    user = export.user
    queue_email(
        "privacy/email/export_ready",
        to=recipients([user]),
        context=lambda recipient: {
            "download_url": download_url(export, recipient.language),
            "expires": local_time(export.expires_at, recipient),
            "hours": str(link_hours()),
        },
        about=export,
        confidential=True,  # the link hands out all of the user's data (after login)
    )


def signed_token(export: DataExport) -> str:
    return signing.dumps(export.pk, salt=SIGNING_SALT, compress=False)


def download_url(export: DataExport, language: str | None = None) -> str:
    return absolute_url("data-export-download", language, token=signed_token(export))


def export_for_token(token: str, user: User, *, now=None) -> DataExport | None:
    """The user's ready export the link names, or None (forged, expired or another's)."""
    try:
        pk = signing.loads(token, salt=SIGNING_SALT, max_age=link_hours() * 3600)
    except signing.BadSignature:  # SignatureExpired included
        return None
    return DataExport.objects.downloadable(now).filter(pk=pk, user=user).first()


def delete_expired_exports(now: datetime.datetime | None = None) -> int:
    """Delete exports whose link has expired, with their files; return how many."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(DataExport.objects.filter(expires_at__lte=now))
        _delete(expired)
    if expired:
        logger.info("data exports deleted: %d", len(expired))
    return len(expired)


def delete_exports_of(user: User) -> int:
    """Delete all of the user's exports and, after commit, their files (for the erasure)."""
    exports = list(DataExport.objects.filter(user=user))
    _delete(exports)
    return len(exports)


def _delete(exports: list[DataExport]) -> None:
    """Delete the rows now and their files once the transaction commits."""
    names = [export.file.name for export in exports if export.file]
    DataExport.objects.filter(pk__in=[export.pk for export in exports]).delete()
    storage = DataExport._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names], robust=True)
