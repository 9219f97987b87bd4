from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "alliance/home.html"


class PrivacyView(TemplateView):
    template_name = "alliance/privacy.html"


class ImprintView(TemplateView):
    template_name = "alliance/imprint.html"
