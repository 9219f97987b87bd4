"""Refusing requests too large to be honest, before Django reads them."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


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
            return HttpResponse(render_to_string("413.html", request=request), status=413)
        return self.get_response(request)
