"""The one place every change of an application's state passes, for whoever follows them.

The mover calls `notify` after each transition, inside the verb's transaction: a handler
writes in that transaction (an outbox row, a tombstone, a ledger line), and a handler
that raises undoes the whole change. Handlers are subscribed once, at start-up
(`ExchangesConfig.ready`), so adding a consumer touches no verb.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from alliance.accounts.models import User
from exchanges.models import Actor, Application, State, Verb


@dataclass(frozen=True)
class Transition:
    """One change of an application's state, as recorded in its history."""

    verb: Verb
    application: Application
    source: State
    target: State
    actor: Actor  # the kind of actor: an owner, staff or the portal itself
    by: User | None  # None when the portal acted on its own
    comment: str
    at: datetime.datetime
    share_comment: bool = False  # staff chose to include the comment in the team's email


Handler = Callable[[Transition], None]

_handlers: list[Handler] = []


def subscribe(handler: Handler) -> Handler:
    """Call `handler` after every transition from now on (once, however often subscribed)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def unsubscribe(handler: Handler) -> None:
    """Stop calling `handler`."""
    if handler in _handlers:
        _handlers.remove(handler)


def notify(transition: Transition) -> None:
    """Hand `transition` to every handler, in the order they subscribed."""
    for handler in _handlers:
        handler(transition)
