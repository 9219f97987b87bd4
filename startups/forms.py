from django import forms
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from alliance.accounts.models import User
from alliance.forms import announce_limits
from cities.models import UNKNOWN_COUNTRY, City, country_choices
from startups.models import Role, Sector, Stage, Startup, earliest_today


def country_options() -> list:
    """Every country, those of the network's cities first (in a group of their own)."""
    network = sorted(
        {code for code in City.objects.values_list("country", flat=True) if code in countries},
        key=countries.name,
    )
    options = [("", _("Choose a country"))]
    if network:
        options.append((_("Countries of the network"), [(c, countries.name(c)) for c in network]))
    options.append((_("All countries"), country_choices()))
    return options


class StartupForm(forms.ModelForm):
    city = forms.ModelChoiceField(
        label=_("Home city"),
        queryset=City.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label=_("Another city"),
        help_text=_("A city of the Start Alliance, or name another below."),
    )

    class Meta:
        model = Startup
        fields = [
            "name",
            "city",
            "other_city",
            "country",
            "founded_month",
            "founded_year",
            "website",
            "sector",
            "stage",
            "product_launched",
            "team_size",
            "pitch",
        ]
        widgets = {
            "pitch": forms.Textarea(attrs={"rows": 4}),
            "founded_year": forms.NumberInput(attrs={"min": 1900, "max": 2100, "step": 1}),
        }
        labels = {"founded_month": _("Month founded"), "founded_year": _("Year founded")}
        help_texts = {
            "other_city": _("Only if the start-up is based outside the network's cities."),
            "country": _("Not needed for a city of the network: we know its country."),
            "founded_year": _("For example 2023."),
        }
        error_messages = {"country": {"invalid_choice": UNKNOWN_COUNTRY}}

    def __init__(self, *args, **kwargs):
        given = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        if self.instance.city_id and "city" not in given:
            # The options are valued by slug, the instance's initial value is its id: the
            # city itself is shown as chosen (an edit would otherwise show "Another city").
            self.initial["city"] = self.instance.city
        self.fields["founded_year"].widget.attrs["max"] = earliest_today().year
        self.fields["country"].choices = country_options()
        self.fields["founded_month"] = forms.TypedChoiceField(
            label=_("Month founded"),
            choices=[("", _("Choose a month")), *MONTHS.items()],
            coerce=int,
            initial=self.initial.get("founded_month"),
        )
        # In their order, as a person reads them; the model keeps the lower-case names
        # that sentences use ("at the seed stage").
        self.fields["stage"].choices = [("", _("Choose a stage"))] + [
            (stage.value, capfirst(stage.label)) for stage in Stage
        ]
        self.fields["sector"].choices = [("", _("Choose a sector"))] + [
            (sector.value, capfirst(sector.label)) for sector in Sector
        ]
        announce_limits(self)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("city"):
            if not (cleaned.get("other_city") or "").strip():
                self.add_error("other_city", _("Choose a city of the network or name another."))
            if not cleaned.get("country") and "country" not in self.errors:
                self.add_error("country", _("Choose the country of the home city."))
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class TransferForm(forms.Form):
    member = forms.ModelChoiceField(label=_("New owner"), queryset=None)

    def __init__(self, *args, startup: Startup, exclude_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = User.objects.filter(memberships__startup=startup).exclude(
            pk=exclude_user.pk
        )
