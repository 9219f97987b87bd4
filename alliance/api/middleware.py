"""What every response under /api/ shares: English, UTC, and conditional requests.

The API's responses never depend on Accept-Language (a client asks for a content
language with `?lang=`), so its texts are always English (and `Vary` does not name
Accept-Language); its times are in UTC (ISO 8601, `Z`). Each GET response gets an
`ETag` (a hash of its body, unless the view set one) and answers `If-None-Match` (and
`If-Modified-Since`, where the view set `Last-Modified`) with 304, through Django's own
conditional GET handling. Every error is a problem, Django's debug pages in development
included.
"""

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils import timezone, translation

from alliance.api.problems import CONTENT_TYPE, is_api, problem_response


class ApiMiddleware(ConditionalGetMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            return self.get_response(request)
        # Placed before LocaleMiddleware: with no preference to read, it activates English.
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        request.COOKIES.pop(settings.LANGUAGE_COOKIE_NAME, None)
        translation.activate("en")
        timezone.activate(datetime.UTC)
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        response = _as_problem(response)
        if response.has_header("Vary"):
            names = [name.strip() for name in response["Vary"].split(",")]
            kept = [name for name in names if name and name.lower() != "accept-language"]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        # Conditional handling may answer 412 (If-Match, If-Unmodified-Since): a problem too.
        return _as_problem(self.process_response(request, response))


# Headers an error keeps when its page becomes a problem.
_KEPT = ("Allow", "Retry-After", "WWW-Authenticate")


def _as_problem(response: HttpResponse) -> HttpResponse:
    """Any error under /api/ that is not a problem yet (Django's debug pages in development,
    a view's own error page) becomes one, with the same status."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(CONTENT_TYPE):
        return response
    problem = problem_response(response.status_code)
    for name in _KEPT:
        if response.has_header(name):
            problem[name] = response[name]
    return problem
