"""Rendering a message in its recipient's language: staff's wording or the files' default.

The context is a flat dictionary of strings (never model objects); the HTML part is the
text in the shared email layout, escaped, with links.
"""

from collections.abc import Mapping

from django.template.loader import get_template
from django.utils import translation

from alliance.mail.models import EmailTemplate
from alliance.mail.templates import fill, one_line


def render(template_key: str, language: str, context: Mapping[str, str]) -> tuple[str, str, str]:
    """Return subject, text and HTML of `template_key` in `language`."""
    return render_message(template_key, staff_wording(template_key), language, context)


def staff_wording(template_key: str) -> EmailTemplate | None:
    """Staff's wording of `template_key`, or None where the files' defaults apply."""
    return EmailTemplate.objects.filter(key=template_key).first()


def render_message(
    template_key: str, edited: EmailTemplate | None, language: str, context: Mapping[str, str]
) -> tuple[str, str, str]:
    """Render with `edited` (from staff_wording, read once for many recipients)."""
    flat = {key: str(value) for key, value in context.items()}
    with translation.override(language):
        if edited is not None:  # staff's wording, in the language or else English
            subject = one_line(fill(edited.subject, flat))
            text = fill(edited.body, flat).strip() + "\n"
        else:
            subject = one_line(get_template(f"{template_key}.subject.txt").render(flat))
            text = get_template(f"{template_key}.txt").render(flat).strip() + "\n"
        html = get_template("email/base.html").render(
            {"subject": subject, "body": text, "language": language}
        )
    return subject, text, html
