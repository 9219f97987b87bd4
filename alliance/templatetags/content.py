"""Showing translated content with the language it is really in; links in emails."""

import re

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from alliance.i18n import language_attributes, translated_value

register = template.Library()


@register.simple_tag
def content(obj: object, field: str, element: str = "span", paragraphs: bool = False) -> str:
    """Render a translated field inside `element`, marked with the language it is in."""
    value, language = translated_value(obj, field)
    if not value:
        return ""
    body = linebreaks_filter(value, autoescape=True) if paragraphs else value
    return format_html(
        "<{element}{attributes}>{body}</{element}>",
        element=element,
        attributes=language_attributes(language),
        body=body,
    )


@register.filter
def site_links(text: str) -> SafeString:
    """Escape `text` and make links of the portal's own URLs only.

    Values such as a start-up's name come from users: a URL in them stays plain text.
    """
    escaped = str(conditional_escape(text))
    base = re.escape(str(conditional_escape(settings.SITE_URL)))
    return mark_safe(  # noqa: S308 - built from escaped text
        re.sub(rf"({base}/[^\s<]*)", r'<a href="\1">\1</a>', escaped)
    )
