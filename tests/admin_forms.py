"""What a browser would post back from an admin change page, to change a field or two."""

import datetime

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper


def _posted(widget: forms.Widget, name: str, value) -> dict:
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(value) if not isinstance(value, list) else value
        posted = {}
        for index, (subwidget, part) in enumerate(zip(widget.widgets, parts, strict=True)):
            posted.update(_posted(subwidget, f"{name}_{index}", part))
        return posted
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if value else {}
    if isinstance(value, list | tuple):
        return {name: [str(getattr(item, "pk", item)) for item in value]}
    if value is None:
        return {name: ""}
    if isinstance(value, datetime.date | datetime.time):
        return {name: widget.format_value(value)}
    return {name: str(getattr(value, "pk", value))}


def _form_data(form: forms.BaseForm) -> dict:
    data = {}
    for field in form:
        if field.field.disabled:
            continue
        data.update(_posted(field.field.widget, field.html_name, field.value()))
    return data


def change_form_data(response, **changes) -> dict:
    """The data of the admin change page in `response`, with `changes` applied."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    data.update(changes)
    return data
