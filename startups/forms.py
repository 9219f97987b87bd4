from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.accounts.models import User
from cities.models import UNKNOWN_COUNTRY, City
from startups.models import Role, Startup


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
            "founded_year",
            "founded_month",
            "website",
            "sector",
            "stage",
            "product_launched",
            "team_size",
            "pitch",
        ]
        widgets = {"pitch": forms.Textarea(attrs={"rows": 4, "maxlength": 500})}
        help_texts = {"country": _("Not needed for a city of the network: we know its country.")}
        error_messages = {"country": {"invalid_choice": UNKNOWN_COUNTRY}}

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
