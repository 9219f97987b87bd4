from django.urls import path

from exchanges.partners.api import views

urlpatterns = [
    path("applications/", views.ApplicationList.as_view(), name="partner-applications"),
    path(
        "applications/<int:application_id>/",
        views.ApplicationDetail.as_view(),
        name="partner-application",
    ),
]
