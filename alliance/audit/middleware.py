from collections.abc import Callable

from auditlog.context import set_actor
from django.http import HttpRequest, HttpResponse


class AuditActorMiddleware:
    """Name the logged-in user as the actor of every audit entry the request writes.

    The user is passed lazily, so a request that writes nothing audited does not load it.
    No address is stored: the library would take the first `X-Forwarded-For` entry,
    which a client can forge. Writes outside a request (Celery jobs) have no actor and
    show as "system".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with set_actor(request.user):
            return self.get_response(request)
