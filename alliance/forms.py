import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.models import User


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "time_zone", "receives_reminders"]
