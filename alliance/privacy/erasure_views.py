"""The founder deletes their own account: a page that says what happens, then proof it is them.

The password is asked again, and the second factor when the account has one (a code of
the authenticator app or a recovery code, checked by allauth's own form, with its rate
limit). The erasure runs in one transaction (`erasure.erase_account`); the user is then
logged out and sees a confirmation.
"""

from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from alliance.privacy.erasure import erase_account


def has_code_factor(user) -> bool:
    """Whether the account has a second factor that gives codes (TOTP or recovery codes)."""
    return (
        Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN).exists()
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.needs_code = has_code_factor(user)
        if self.needs_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return password

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        second = BaseAuthenticateForm(data={"code": code}, user=self.user)
        if not second.is_valid():
            raise forms.ValidationError(second.errors["code"])
        return code


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Explain what deleting the account does; on a confirmed POST, erase it and log out."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        erase_account(request.user)
        logout(request)
        return redirect("account-deleted")
    return render(request, "privacy/delete_account.html", {"form": form})


def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/delete_account_done.html")
