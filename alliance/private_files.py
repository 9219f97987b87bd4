"""Private files: stored outside the public media URL, served only after a permission check.

Each app registers who may read the files under a path prefix (e.g. "agreements/");
a file under no registered prefix is never served.
"""

from collections.abc import Callable
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alliance.accounts.models import User

ReadCheck = Callable[[User | AnonymousUser, str], bool]
TokenCheck = Callable[[HttpRequest, str, str], bool]
_rules: dict[str, ReadCheck] = {}
_token_rules: dict[str, TokenCheck] = {}


def register(prefix: str, can_read: ReadCheck) -> None:
    """Let `can_read(user, name)` decide who reads the private files under `prefix`."""
    _rules[prefix] = can_read


def register_token(prefix: str, accepts: TokenCheck) -> None:
    """Let `accepts(request, name, token)` admit a signed link (`?token=`) to a file under
    `prefix`.

    For readers without a session (a partner's system): the check verifies the token,
    that it names this file, and that the request's holder may still read it.
    """
    _token_rules[prefix] = accepts


def _rule(rules: dict, name: str):
    return next((check for prefix, check in rules.items() if name.startswith(prefix)), None)


class PrivateFileStorage(FileSystemStorage):
    """File storage under MEDIA_ROOT/private whose URLs point at the permission-checking view."""

    @cached_property
    def base_location(self) -> str:
        # Read when first used (and again when MEDIA_ROOT changes), not at import time.
        return self._value_or_setting(self._location, str(Path(settings.MEDIA_ROOT) / "private"))

    def url(self, name: str | None) -> str:
        return reverse("private-file", kwargs={"name": name})


def private_storage() -> Storage:
    """The storage for files that are served only after a permission check."""
    return storages["private"]


def _is_file(storage: Storage, name: str) -> bool:
    try:
        return Path(storage.path(name)).is_file()
    except (OSError, ValueError, SuspiciousFileOperation):  # a name too long, or outside
        return False


@never_cache
@require_GET
def serve(request: HttpRequest, name: str) -> FileResponse:
    """Send a private file as a download to a user allowed to read it, else 404."""
    path = PurePosixPath(name)
    parts = name.split("/")
    if path.is_absolute() or any(part in {"", ".", ".."} for part in parts):
        raise Http404
    storage = storages["private"]
    if not _is_file(storage, name):
        raise Http404  # before the checks: a token check records the read
    token = request.GET.get("token")
    if token is not None:
        accepts = _rule(_token_rules, name)
        if accepts is None or not accepts(request, name, token):
            raise Http404
    else:
        can_read = _rule(_rules, name)
        if can_read is None or not can_read(request.user, name):
            raise Http404
    # `?inline=1` opens a PDF in the browser's viewer; anything else is a download.
    inline = request.GET.get("inline") == "1" and path.suffix.lower() == ".pdf"
    response = FileResponse(storage.open(name, "rb"), as_attachment=not inline, filename=path.name)
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        response["Content-Type"] = "application/pdf"
    return response
