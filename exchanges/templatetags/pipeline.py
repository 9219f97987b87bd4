"""The pipeline dashboard on the admin index: numbers and small SVG bars, no JavaScript."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges import pipeline

register = template.Library()

BAR_WIDTH = 200  # the SVG's own units; CSS scales it


def _segments(parts: list[tuple[str, int]], total: int) -> list[dict]:
    """Consecutive rectangles for (css class, count), in BAR_WIDTH units of `total`."""
    segments, x = [], 0.0
    for kind, count in parts:
        if count <= 0 or total <= 0:
            continue
        width = BAR_WIDTH * count / total
        # Strings, so that no locale turns the decimal point into a comma.
        segments.append({"kind": kind, "x": f"{x:.2f}", "width": f"{width:.2f}"})
        x += width
    return segments


def _seat_bar(row: pipeline.ProgrammePipeline) -> dict:
    staged = min(row.staged_accepts, row.free)
    free = row.free - staged
    parts = [("held", row.held), ("staged", staged), ("free", free)]
    label = _(
        "Seats: %(held)d held, %(staged)d staged for acceptance, %(free)d free of %(seats)d"
    ) % {"held": row.held, "staged": row.staged_accepts, "free": row.free, "seats": row.seats}
    return {"label": label, "segments": _segments(parts, max(row.seats, row.held))}


def _state_bar(row: pipeline.ProgrammePipeline) -> dict:
    counts = [(state, count) for state, count in row.states if count]
    label = _("Applications by state: %(counts)s") % {
        "counts": ", ".join(f"{count} {state.label}" for state, count in counts)
        or _("none submitted")
    }
    parts = [(f"state-{state.value}", count) for state, count in counts]
    return {"label": label, "segments": _segments(parts, row.submitted)}


@register.inclusion_tag("admin/exchanges/board/dashboard.html", takes_context=True)
def pipeline_dashboard(context) -> dict:
    """The open programmes the user may see, each with its numbers and bars."""
    request = context.get("request")
    user = getattr(request, "user", None)
    rows = pipeline.open_programmes(user)
    return {
        "now": timezone.now(),
        "programmes": [
            {"row": row, "seat_bar": _seat_bar(row), "state_bar": _state_bar(row)} for row in rows
        ],
        "bar_width": BAR_WIDTH,
    }
