from django import forms
from django.utils.translation import gettext_lazy as _

from cities.models import City
from startups.models import Sector


class ProgrammeFilterForm(forms.Form):
    city = forms.ModelChoiceField(
        label=_("Host city"),
        queryset=City.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All cities"),
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("All sectors")), *Sector.choices], required=False
    )
    open = forms.BooleanField(label=_("Open for applications now"), required=False)
