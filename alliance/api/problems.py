"""Every error under /api/ as RFC 9457 problem details (`application/problem+json`).

DRF's exceptions come through `exception_handler`; what never reaches a DRF view (an
unknown URL, a refused request in a middleware, an uncaught exception) through
`problem_response`, called by the site's error handlers for paths under /api/.
"""

from http import HTTPStatus

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


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
        "detail": detail or HTTPStatus(status_code).description,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(status_code: int, **kwargs) -> JsonResponse:
    """A plain Django response with a problem body, for errors outside DRF's views."""
    return JsonResponse(
        problem(status_code, **kwargs), status=status_code, content_type=CONTENT_TYPE
    )


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


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's errors (and Django's 404 and 403 inside views) as problem details."""
    response = drf_exception_handler(exc, context)
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
    response.data = body
    response.content_type = CONTENT_TYPE
    return response


def _handler(status_code: int, html_handler):
    def handler(request: HttpRequest, exception: Exception | None = None, **kwargs):
        if is_api(request):
            return problem_response(status_code)
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
