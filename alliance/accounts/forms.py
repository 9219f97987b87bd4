"""The sign-up form (allauth's, made silent about registered addresses) and the profile."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows import email_verification
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alliance.accounts import journey
from alliance.accounts.models import User
from alliance.times import canonical_zone, time_zone_choices


class SignupForm(AllauthSignupForm):
    """Sign-up that answers the same whether or not the address is registered.

    Nobody is logged in by signing up: both a new and a registered address get
    "check your email"; the new one a verification link, the registered one a note that
    the account exists. (Unverified users can still log in with their password later.)
    """

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("Shown in the header and to your start-up's team."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["name", "email", "password1", "password2"]

    def validate_unique_email(self, value: str) -> str:
        try:
            return super().validate_unique_email(value)
        except ValidationError as error:
            if error.code != "email_taken":
                raise
            self.account_already_exists = True
            return value

    def custom_signup(self, request, user: User) -> None:
        """Record which privacy notice the new user was shown (it is linked on the form)."""
        super().custom_signup(request, user)
        user.privacy_notice_version = settings.PRIVACY_NOTICE_VERSION
        user.save(update_fields=["privacy_notice_version"])

    def try_save(self, request):
        email = self.cleaned_data["email"]
        if self.account_already_exists:
            # The same work as for a new address, so neither the answer (page, message,
            # cookies) nor its time tells the two apart: hash the password as a new
            # account would, touch the session as setting up its address does, and go
            # through allauth's own path for a registered address (one outbox row, sent
            # after the response by the outbox).
            make_password(self.cleaned_data["password1"])
            get_adapter().unstash_verified_email(request)
            address, user = EmailAddress(email=email), None
        else:
            user = self.save(request)
            address = email_verification.get_address_for_user(user)
        sent = email_verification.send_verification_email_to_address(request, address, signup=True)
        if not sent:
            # A mail skipped by the per-address cooldown must not show: say it anyway.
            email_verification.add_email_verification_sent_message(request, email, signup=True)
        # "Check your email" keeps the programme the founder came from, for the steps shown.
        sent_url = journey.with_next(
            reverse("account_email_verification_sent"), journey.next_url(request)
        )
        return user, redirect(sent_url)


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "time_zone", "receives_reminders"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A zone saved under an old name ("Europe/Kiev") is offered under its own.
        self.initial["time_zone"] = canonical_zone(self.initial.get("time_zone", ""))
