from django.views.generic import DetailView, ListView

from cities import queries
from cities.models import City, PartnerOrganisation


class CityListView(ListView):
    template_name = "cities/city_list.html"
    context_object_name = "cities"

    def get_queryset(self):
        return queries.public_cities()


class CityDetailView(DetailView):
    model = City
    template_name = "cities/city_detail.html"
    context_object_name = "city"

    def get_queryset(self):
        return queries.city_detail()


class OrganisationDetailView(DetailView):
    model = PartnerOrganisation
    template_name = "cities/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        return queries.organisation_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agreements"] = queries.agreements_of(self.object)
        return context
