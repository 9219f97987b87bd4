from allauth.account.views import ConfirmEmailView as AllauthConfirmEmailView
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import UpdateView

from alliance.accounts import journey
from alliance.accounts.forms import ProfileForm


class ConfirmEmailView(AllauthConfirmEmailView):
    """allauth's email confirmation; a `next` it carries is reached through the login.

    Signing up never logs in, so a founder confirming their address is still logged
    out: they log in next and then reach the programme they signed up from.
    """

    def get_redirect_url(self) -> str:
        next_ = journey.next_url(self.request)
        if next_ and not self.request.user.is_authenticated:
            return journey.with_next(reverse("account_login"), next_)
        return super().get_redirect_url()


class ProfileView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "alliance/profile.html"
    success_url = reverse_lazy("profile")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, _("Your profile has been saved."))
        return super().form_valid(form)
