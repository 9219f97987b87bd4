"""{% journey_steps %}: where a founder is on the way to applying."""

from django import template

from alliance.accounts import journey

register = template.Library()


@register.inclusion_tag("account/_journey_steps.html", takes_context=True)
def journey_steps(context, current: str = "") -> dict[str, object]:
    """The steps, on a page of the way to a programme (its `next`) or where `current` is given.

    Without `current`, the page's step comes from its view, and the steps show only while
    the founder is on the way to a programme: its page is the `next` they carry.
    """
    request = context.get("request")
    if not current:
        match = getattr(request, "resolver_match", None)
        current = journey.STEP_OF_VIEW.get(match.view_name, "") if match else ""
        if not current or not journey.leads_to_programme(journey.next_url(request)):
            return {"steps": []}
    return {"steps": journey.steps(current)}
