from django.urls import path

from exchanges.partners.api import recommendations, views, webhooks

urlpatterns = [
    path("applications/", views.ApplicationList.as_view(), name="partner-applications"),
    path(
        "applications/<int:application_id>/",
        views.ApplicationDetail.as_view(),
        name="partner-application",
    ),
    path(
        "applications/<int:application_id>/recommendation/",
        recommendations.RecommendationView.as_view(),
        name="partner-recommendation",
    ),
    path("webhooks/", webhooks.EndpointList.as_view(), name="partner-webhooks"),
    path("webhooks/<int:endpoint_id>/", webhooks.EndpointDetail.as_view(), name="partner-webhook"),
    path(
        "webhooks/<int:endpoint_id>/rotate-secret/",
        webhooks.RotateSecret.as_view(),
        name="partner-webhook-rotate-secret",
    ),
    path(
        "webhooks/<int:endpoint_id>/test/", webhooks.SendTest.as_view(), name="partner-webhook-test"
    ),
    path(
        "webhooks/<int:endpoint_id>/redeliver/",
        webhooks.Redeliver.as_view(),
        name="partner-webhook-redeliver",
    ),
    path(
        "webhooks/<int:endpoint_id>/deliveries/",
        webhooks.DeliveryLog.as_view(),
        name="partner-webhook-deliveries",
    ),
    path(
        "webhooks/<int:endpoint_id>/events/",
        webhooks.EventLog.as_view(),
        name="partner-webhook-events",
    ),
]
