"""Showing translated content with the language it is really in; links in emails.

`{% content obj "field" %}` renders a translated field; a value shown in another language
than the page's (the English fallback of a missing German text) is marked `lang="en"` and
followed by a note ("Only available in English"). Inside `{% contentblock %}` …
`{% endcontentblock %}` the note is said once for the whole block: where
`{% contentnote %}` stands in it, else at its end.
"""

import re

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from alliance.i18n import fallback_note, is_foreign, language_attributes, translated_value

register = template.Library()

# The context variable of the enclosing block: the fallback languages its values used.
BLOCK_LANGUAGES = "_content_block_languages"
# Where a block's note goes; never seen outside a block (the tag renders nothing there).
NOTE_MARKER = "<!--content-note-->"
INLINE_NOTE_MARKER = "<!--content-note inline-->"


def note_html(languages: list[str], *, inline: bool) -> SafeString:
    """The visible note that text is shown in `languages`, inline or as its own paragraph."""
    notes = "; ".join(fallback_note(language) for language in languages)
    if inline:
        return format_html(' <small class="content-note">({})</small>', notes)
    return format_html('<p class="content-note"><small>{}</small></p>', notes)


@register.simple_tag(takes_context=True)
def content(
    context,
    obj: object,
    field: str,
    element: str = "span",
    paragraphs: bool = False,
    *,
    lines: bool = False,
) -> str:
    """Render a translated field inside `element`, marked when it is in another language.

    With `paragraphs` its paragraphs become <p>; with `lines` each line an <li> (in an
    `element="ul"`).
    """
    value, language = translated_value(obj, field)
    if not value:
        return ""
    if lines:
        items = [line.strip() for line in value.splitlines() if line.strip()]
        body = format_html_join("", "<li>{}</li>", ((item,) for item in items))
    elif paragraphs:
        body = linebreaks_filter(value, autoescape=True)
    else:
        body = value
    foreign = is_foreign(language)
    html = format_html(
        "<{element}{attributes}>{body}</{element}>",
        element=element,
        attributes=language_attributes(language) if foreign else "",
        body=body,
    )
    if not foreign:
        # In the reader's language a short value needs no element of its own.
        return html if element != "span" else conditional_escape(body)
    block_languages = context.get(BLOCK_LANGUAGES)
    if block_languages is None:
        return html + note_html([language], inline=element == "span")
    if language not in block_languages:
        block_languages.append(language)
    return html


class ContentBlockNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> SafeString:
        languages: list[str] = []
        with context.push({BLOCK_LANGUAGES: languages}):
            body = self.nodelist.render(context)
        for marker, inline in ((NOTE_MARKER, False), (INLINE_NOTE_MARKER, True)):
            if marker in body:
                note = note_html(languages, inline=inline) if languages else ""
                body = body.replace(marker, note, 1).replace(marker, "")
                break
        else:
            body += note_html(languages, inline=False) if languages else ""
        # The body was rendered (escaped) by the template engine; the note is escaped.
        return mark_safe(body)  # noqa: S308


@register.tag
def contentblock(parser, token) -> ContentBlockNode:
    """A block whose fallback texts share one note (see the module's docstring)."""
    nodelist = parser.parse(("endcontentblock",))
    parser.delete_first_token()
    return ContentBlockNode(nodelist)


@register.simple_tag(takes_context=True)
def contentnote(context, inline: bool = False) -> str:
    """Where the enclosing block's note goes: a paragraph, or `inline` in the text."""
    if BLOCK_LANGUAGES not in context:
        return ""
    return mark_safe(INLINE_NOTE_MARKER if inline else NOTE_MARKER)  # noqa: S308 - a constant


@register.simple_tag
def content_text(obj: object, field: str) -> str:
    """A translated field as plain text, for places that cannot hold markup (a title)."""
    return translated_value(obj, field)[0]


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


@register.filter
def bdi(value: object) -> SafeString:
    """`value` (a name people typed: a start-up's) isolated from the text around it, so a
    Latin name in an Arabic sentence, or the other way round, keeps its own direction;
    for `{% blocktranslate with name=startup.name|bdi %}`."""
    return format_html("<bdi>{}</bdi>", value)
