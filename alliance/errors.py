"""The one error that services raise when they refuse an operation."""

from collections.abc import Iterable

from django.contrib import messages
from django.utils.functional import Promise


class DomainError(Exception):
    """A refused operation: a machine-readable code and messages safe to show to users.

    Each message names one reason (each failed eligibility rule is its own message).
    Views show them as form or page errors; the API maps the code to a status.
    """

    def __init__(self, code: str, messages: str | Promise | Iterable[str | Promise]) -> None:
        if isinstance(messages, str | Promise):
            messages = [messages]
        self.code = code
        self.messages = list(messages)
        if not self.messages:
            raise ValueError("A DomainError needs at least one message.")
        super().__init__(code, self.messages)

    def __str__(self) -> str:
        return "; ".join(str(message) for message in self.messages)


def show_errors(request, error: DomainError) -> None:
    """Show each message of a refusal on the next page, as an error."""
    for message in error.messages:
        messages.error(request, message)
