from django.urls import path

from alliance.pages import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("imprint/", views.ImprintView.as_view(), name="imprint"),
]
