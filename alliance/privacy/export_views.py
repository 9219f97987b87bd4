"""Download my data: the page (request and status) and the download behind a signed link.

The link in the email is signed and expires (alliance.privacy.export); it is honoured
only for the logged-in user whose export it names: anyone else gets a 404, and an
anonymous reader is sent to log in first.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from alliance.errors import DomainError, show_errors
from alliance.privacy import export as exports
from alliance.privacy.models import DataExport


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def data_export(request: HttpRequest) -> HttpResponse:
    """Show the state of the user's export; a POST asks for a new one."""
    if request.method == "POST":
        try:
            exports.request_export(request.user)
        except DomainError as error:
            show_errors(request, error)
        else:
            messages.success(
                request,
                _("We are collecting your data. We will email you a link when it is ready."),
            )
        return redirect("data-export")
    mine = DataExport.objects.filter(user=request.user)
    ready = mine.downloadable().first()
    return render(
        request,
        "privacy/data_export.html",
        {
            "pending": mine.pending().first(),
            "ready": ready,
            "download_token": exports.signed_token(ready) if ready else "",
            "hours": exports.link_hours(),
        },
    )


@never_cache
@login_required
@require_GET
def download(request: HttpRequest, token: str) -> FileResponse:
    """Send the user's ZIP, if the link is theirs and has not expired."""
    export = exports.export_for_token(token, request.user)
    if export is None or not export.file:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    filename = f"start-alliance-data-{export.ready_at:%Y-%m-%d}.zip"
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
