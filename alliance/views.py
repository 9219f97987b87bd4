from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView, UpdateView

from alliance import notices
from alliance.forms import ProfileForm
from cities import queries
from cities.map import network_map


class HomeView(TemplateView):
    template_name = "alliance/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cities = list(queries.public_cities())
        context["cities"] = cities
        context["network_map"] = network_map(cities)
        context["figures"] = queries.network_figures(cities)
        return context


class PrivacyView(TemplateView):
    template_name = "alliance/privacy.html"


class ImprintView(TemplateView):
    template_name = "alliance/imprint.html"


class ProfileView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "alliance/profile.html"
    success_url = reverse_lazy("profile")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, _("Your profile has been saved."))
        return super().form_valid(form)


@csrf_exempt  # the signed token is the authority; mail clients post one-click opt-outs
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Opt out of reminders and digests with a signed link, no login needed."""
    person = notices.person_for(token)
    if person is None:
        raise Http404
    if request.method == "POST":
        notices.opt_out(person)
        return render(request, "alliance/unsubscribe.html", {"done": True})
    return render(request, "alliance/unsubscribe.html", {"done": False})
