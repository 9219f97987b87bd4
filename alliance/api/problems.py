"""Every error under /api/ as RFC 9457 problem details (`application/problem+json`).

DRF's exceptions come through `exception_handler`; what never reaches a DRF view (an
unknown URL, a refused request in a middleware, a bad Host, an uncaught exception) through
`problem_response`, called by the site's error handlers for paths under /api/. Both answer
a plain JSON response, never one of the view's renderers: content negotiation may have
failed (406), or chosen YAML (the schema) or HTML (the docs page), and a problem is JSON
whatever the client accepts. A detail never carries an exception's text from our code.
"""

from http import HTTPStatus

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"


# Details where nothing more particular is known (Python's own descriptions of the statuses
# read oddly: "Server got itself in trouble").
DETAILS = {
    400: "The request could not be understood (a malformed or unacceptable header).",
    403: "This request is not allowed.",
    404: "Nothing is at this URL; /api/schema/ lists the API's paths.",
    413: "The request body is larger than this server accepts.",
    500: "The server failed to answer this request; the failure is logged. Try again later.",
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def problem_type(code: str) -> str:
    """The problem's `type`: a stable URN per kind of problem (RFC 9457 section 3.1.1)."""
    return f"urn:start-alliance:problem:{code.replace('_', '-')}"


def problem(
    status_code: int, *, detail: str = "", code: str = "", errors: list | None = None
) -> dict:
    """The body of a problem: `type`, `title`, `status`, `detail`, and field errors if any."""
    body = {
        "type": problem_type(code) if code else "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail or DETAILS.get(status_code) or HTTPStatus(status_code).description,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(status_code: int, **kwargs) -> JsonResponse:
    """A plain Django response with a problem body, for errors outside DRF's views."""
    return _as_response(problem(status_code, **kwargs))


def _as_response(body: dict) -> JsonResponse:
    response = JsonResponse(body, status=body["status"], content_type=CONTENT_TYPE)
    response.data = body  # as on DRF's responses, for whoever inspects one
    return response


def field_errors(detail, prefix: str = "") -> list[dict]:
    """DRF's nested validation errors as a flat list of `{"field", "detail"}`."""
    if isinstance(detail, dict):
        return [
            error
            for name, value in detail.items()
            for error in field_errors(value, f"{prefix}.{name}" if prefix else str(name))
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"field": prefix or None, "detail": str(item)} for item in detail]
        return [
            error
            for index, item in enumerate(detail)
            for error in field_errors(item, f"{prefix}[{index}]" if prefix else str(index))
        ]
    return [{"field": prefix or None, "detail": str(detail)}]


def exception_handler(exc: Exception, context: dict) -> JsonResponse | None:
    """DRF's errors (and Django's 404 and 403 inside views) as problem details."""
    response: Response | None = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected exception: Django's handler500 answers (a problem, too)
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            response.status_code,
            code="invalid",
            detail=_("The request has invalid parameters or fields; see errors."),
            errors=field_errors(exc.detail),
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
        code = detail.code if hasattr(detail, "code") else ""
        body = problem(response.status_code, code=str(code or ""), detail=str(detail))
    answer = _as_response(body)
    # DRF's own headers: Retry-After (429), WWW-Authenticate (401).
    for name, value in response.items():
        if name.lower() != "content-type":
            answer[name] = value
    return answer


def _detail(status_code: int, exception: Exception | None) -> str:
    if isinstance(exception, DisallowedHost):
        return "The Host header names a host this server does not answer for."
    return DETAILS[status_code]


def _handler(status_code: int, html_handler):
    def handler(request: HttpRequest, exception: Exception | None = None, **kwargs):
        if is_api(request):
            return problem_response(status_code, detail=_detail(status_code, exception))
        if exception is None:
            return html_handler(request, **kwargs)
        return html_handler(request, exception, **kwargs)

    return handler


def site_handlers() -> dict:
    """handler400/403/404/500 for the root URLconf: problems under /api/, pages elsewhere."""
    return {
        "handler400": _handler(status.HTTP_400_BAD_REQUEST, defaults.bad_request),
        "handler403": _handler(status.HTTP_403_FORBIDDEN, defaults.permission_denied),
        "handler404": _handler(status.HTTP_404_NOT_FOUND, defaults.page_not_found),
        "handler500": _handler(status.HTTP_500_INTERNAL_SERVER_ERROR, defaults.server_error),
    }
