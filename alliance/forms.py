"""How every form of the site is drawn: one field layout, one error summary.

The renderer takes the form and field layouts from the project's templates
(`templates/forms/`) and everything else (the widgets) from Django's own, so the admin's
widgets are untouched. `form.as_div` and `form.as_p` (used by the libraries' templates)
draw the site's layout too.
"""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.loader import get_template
from django.utils.formats import number_format
from django.utils.translation import gettext

SITE_TEMPLATES = "forms/"
# Django's own form layouts, named by `as_div()` and `as_p()` whatever the renderer says.
FORM_LAYOUTS = {"django/forms/div.html", "django/forms/p.html"}


class SiteFormRenderer(DjangoTemplates):
    """Django's renderer with the site's form and field layouts."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"

    def get_template(self, template_name):
        if template_name in FORM_LAYOUTS:
            template_name = self.form_template_name
        if template_name.startswith(SITE_TEMPLATES):
            return get_template(template_name)
        return super().get_template(template_name)


def limit_text(max_length: int) -> str:
    """What a person is told about a text's limit, in the active language."""
    return gettext("At most %(count)s characters.") % {
        "count": number_format(max_length, force_grouping=True)
    }


def announce_limits(form: forms.BaseForm) -> None:
    """Tell the reader of each long text field how long it may be (in its help text); and
    let what a person writes in a text field run in its own direction (`dir="auto"`:
    German typed into an Arabic page keeps its full stop at its end)."""
    for field in form.fields.values():
        if type(field.widget) in {forms.Textarea, forms.TextInput}:
            field.widget.attrs.setdefault("dir", "auto")
        max_length = getattr(field, "max_length", None)
        if max_length and isinstance(field.widget, forms.Textarea):
            field.widget.attrs.setdefault("maxlength", str(max_length))
            field.widget.attrs["data-counter"] = "on"  # static/js/forms.js counts down
            field.widget.attrs["data-counter-left"] = gettext("%(count)s characters left")
            field.widget.attrs["data-counter-over"] = gettext("%(count)s characters too many")
            limit = limit_text(max_length)
            field.help_text = f"{field.help_text} {limit}" if field.help_text else limit


def mark_needed(field: forms.Field) -> None:
    """Mark a field that a draft may leave empty but a submission needs."""
    field.needed = True


# The largest id a row can have (a bigint): a bigger one is no row, never a database error.
MAX_PK = 2**63


def is_row_id(value: object) -> bool:
    """Whether `value` (from a request) can be a row's id: digits, above 0, below MAX_PK.
    Anything else names no row and must not reach a query (SQLite cannot bind 10**25)."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) < MAX_PK


class RowsField(forms.ModelMultipleChoiceField):
    """Rows chosen by id; an id that cannot be a row's is a form error before any query."""

    def _check_values(self, value):
        for pk in value:
            if not is_row_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
