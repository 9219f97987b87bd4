"""Programme cards as the public pages show them, each rendered once per content and viewer."""

import datetime
import functools

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from alliance.fragments import cached_fragments, row_state
from exchanges.calls import call_state
from exchanges.models import ExchangeProgramme

TEMPLATE = "exchanges/_programme_card.html"


def _render(context: dict) -> str:
    return render_to_string(TEMPLATE, context)


def programme_cards(
    programmes: list[ExchangeProgramme],
    *,
    user,
    now: datetime.datetime,
    heading: int = 2,
) -> list[SafeString]:
    """The card of each programme (loaded by `queries.public_programmes()`), in order.

    A card shows its programme, host city and host organisation only: their rows, the
    call's state at `now` and the heading level are its key (alliance/fragments.py).
    """
    items = []
    for programme in programmes:
        state = call_state(programme, now=now)
        parts = (
            row_state(programme),
            row_state(programme.host_city),
            row_state(programme.host_organisation),
            state,
            heading,
        )
        context = {
            "programme": programme,
            "call_state": state,
            "now": now,
            "user": user,
            "heading": heading,
        }
        items.append((parts, functools.partial(_render, context)))
    return cached_fragments(TEMPLATE, items, user=user)
