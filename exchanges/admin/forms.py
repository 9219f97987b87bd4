"""The programme's admin form: eligibility as checkboxes, never as JSON codes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cities.models import City
from exchanges.models import ExchangeProgramme
from startups.models import Sector, Stage


def _in_choice_order(selected: list[str], codes: list[str]) -> list[str]:
    """The selected codes in the order of their choices, so saved lists stay stable."""
    chosen = set(selected)
    return [code for code in codes if code in chosen]


class ProgrammeAdminForm(forms.ModelForm):
    allowed_stages = forms.MultipleChoiceField(
        label=_("allowed stages"),
        choices=Stage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked admits every stage."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("sectors"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked admits every sector."),
    )
    eligible_origin_cities = forms.ModelMultipleChoiceField(
        label=_("eligible origin cities"),
        queryset=City.objects.order_by("-is_hub", "slug"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked admits start-ups from anywhere."),
    )

    class Meta:
        model = ExchangeProgramme
        fields = ("allowed_stages", "sectors", "eligible_origin_cities")  # the admin adds the rest

    def clean_allowed_stages(self) -> list[str]:
        return _in_choice_order(self.cleaned_data["allowed_stages"], Stage.values)

    def clean_sectors(self) -> list[str]:
        return _in_choice_order(self.cleaned_data["sectors"], Sector.values)
