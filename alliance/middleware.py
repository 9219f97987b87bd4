"""Refusing requests before any view sees them: too large, or with input no view can use."""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

from alliance.api.problems import is_api, problem_response


class RequestSizeLimitMiddleware:
    """Answer 413 to a request body larger than MAX_REQUEST_BYTES (uploads included).

    Django writes a whole upload to disk before any form can look at it; this stops a
    multi-gigabyte post at its Content-Length.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            if is_api(request):
                return problem_response(413, code="too_large")
            return HttpResponse(render_to_string("413.html", request=request), status=413)
        return self.get_response(request)


def _is_clean(raw: bytes) -> bool:
    """Whether percent-decoded `raw` is valid UTF-8 without a NUL character."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


class BadInputMiddleware:
    """Answer 400 to a NUL in the path, query, form or cookies, or a query or form not in UTF-8.

    PostgreSQL refuses a NUL in text (DataError, a 500), and bytes that are not UTF-8 reach
    views as replacement characters; no view of the portal has a use for either, so they are
    refused once here instead of in every lookup (a session cookie is a lookup too). Comes
    after the size limit (nothing large is read) and after the locale middleware (the page
    is in the visitor's language).
    """

    FORM_TYPE = "application/x-www-form-urlencoded"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._is_acceptable(request):
            if is_api(request):
                return problem_response(
                    400, code="bad_input", detail="The request has a NUL byte or is not UTF-8."
                )
            return HttpResponseBadRequest(render_to_string("400.html", request=request))
        return self.get_response(request)

    def _is_acceptable(self, request: HttpRequest) -> bool:
        # Django has already re-percent-encoded path bytes that are not UTF-8 ("%FF").
        if "\x00" in request.path:
            return False
        query = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
        if not _is_clean(unquote_to_bytes(query.replace(b"+", b" "))):
            return False
        if any("\x00" in value for value in request.COOKIES.values()):
            return False
        if request.method != "POST":
            return True
        if request.content_type == self.FORM_TYPE and not _is_clean(
            unquote_to_bytes(request.body.replace(b"+", b" "))
        ):
            return False
        # Multipart forms: their texts are decoded by Django; a NUL can still be in them.
        return not any(
            "\x00" in key or "\x00" in value
            for key, values in request.POST.lists()
            for value in values
        ) and not any(
            "\x00" in upload.name for _key, uploads in request.FILES.lists() for upload in uploads
        )
