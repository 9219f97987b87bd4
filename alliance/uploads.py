"""Uploads checked by their content, not by their name."""

import unicodedata
import uuid
from pathlib import PurePosixPath, PureWindowsPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

MAX_PDF_BYTES = 10 * 1024 * 1024


def validate_pdf(upload: UploadedFile) -> None:
    """Accept only a readable, unencrypted PDF of at most 10 MB, judged by its content."""
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
    upload.seek(0)
    if b"%PDF-" not in upload.read(1024):
        upload.seek(0)
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
    upload.seek(0)
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is protected by a password. Upload it without protection."),
                code="encrypted",
            )
        if len(reader.pages) == 0:
            raise ValidationError(_("The PDF has no pages."), code="no_pages")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise ValidationError(
            _("The file is not a readable PDF document."), code="unreadable"
        ) from error
    finally:
        upload.seek(0)


def pitch_deck_name(instance, filename: str) -> str:
    """Store a pitch deck under a generated name, never the uploader's."""
    return f"pitch-decks/{uuid.uuid4().hex}.pdf"


FILE_NAME_LENGTH = 120


def shown_file_name(filename: str, *, limit: int = FILE_NAME_LENGTH) -> str:
    """The uploader's own file name, safe to store and show: no folders, no control
    characters, no leading dots, at most `limit` characters (the extension kept)."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char for char in name
    )
    name = " ".join(name.split()).lstrip(". ")
    if len(name) > limit:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: limit - len(extension) - 2]}….{extension}"
        else:
            name = f"{name[: limit - 1]}…"
    return name
