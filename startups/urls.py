from django.urls import path

from startups import views

app_name = "startups"

urlpatterns = [
    path("startups/", views.StartupListView.as_view(), name="startup-list"),
    path("startups/new/", views.startup_create, name="startup-create"),
    path("startups/invitations/<str:token>/", views.accept, name="invitation-accept"),
    path("startups/<slug:slug>/", views.startup_detail, name="startup-detail"),
    path("startups/<slug:slug>/edit/", views.startup_edit, name="startup-edit"),
    path("startups/<slug:slug>/invite/", views.invite, name="startup-invite"),
    path("startups/<slug:slug>/leave/", views.leave, name="startup-leave"),
    path("startups/<slug:slug>/transfer/", views.transfer, name="startup-transfer"),
]
