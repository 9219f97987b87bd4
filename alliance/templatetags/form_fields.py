"""The pieces of the site's form layout: labels that mark required fields, the summary."""

from django import template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


def is_marked(field: BoundField) -> bool:
    """Required by the form, or needed to submit what the form drafts."""
    return bool(field.field.required or getattr(field.field, "needed", False))


@register.filter
def marked(field: BoundField) -> bool:
    return is_marked(field)


@register.filter
def has_marked_fields(form) -> bool:
    return any(is_marked(field) for field in form.visible_fields())


@register.simple_tag
def field_label(field: BoundField, tag: str = "label") -> str:
    """The field's <label> (or <legend>), its suffix, and the mark of a required field."""
    contents = field.label
    suffix = field.field.label_suffix
    if suffix is None:
        suffix = field.form.label_suffix
    if field.widget_type == "checkbox":
        suffix = ""  # the label follows its box: "[x] Product launched"
    if suffix and contents and contents[-1] not in gettext(":?.!"):
        contents = format_html("{}{}", contents, suffix)
    if is_marked(field):
        contents = format_html(
            '{} <span class="field-required"><span aria-hidden="true">*</span>'
            '<span class="visually-hidden">{}</span></span>',
            contents,
            gettext("(required)"),
        )
    if tag == "legend":
        return field.legend_tag(contents=contents, label_suffix="")
    return field.label_tag(contents=contents, label_suffix="")


@register.simple_tag
def error_summary_items(form) -> list[dict]:
    """Each error of `form`: those of the whole form first (no link), then each field's,
    linked to its input, in the form's order."""
    items = [{"href": "", "message": error} for error in form.non_field_errors()]
    for field in form.hidden_fields():
        items += [{"href": "", "message": error} for error in field.errors]
    for field in form.visible_fields():
        # A group of radios or checkboxes is reached at its first input.
        target = field.id_for_label or (
            f"{field.auto_id}_0" if field.use_fieldset else field.auto_id
        )
        required = str(field.field.error_messages.get("required", ""))
        items += [
            {
                "href": f"#{target}",
                # "This field is required." says which field only next to it.
                "message": f"{field.label}: {error}" if error == required else error,
            }
            for error in field.errors
        ]
    return items
