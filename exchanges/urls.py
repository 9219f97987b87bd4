from django.urls import path

from exchanges import application_views, views

app_name = "exchanges"

urlpatterns = [
    path("programmes/", views.ProgrammeListView.as_view(), name="programme-list"),
    path("programmes/<slug:slug>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("programmes/<slug:slug>/apply/", application_views.apply, name="programme-apply"),
    path("applications/", application_views.application_list, name="application-list"),
    path("applications/<int:pk>/", application_views.application_detail, name="application-detail"),
    path(
        "applications/<int:pk>/edit/", application_views.application_edit, name="application-edit"
    ),
    path(
        "applications/<int:pk>/review/",
        application_views.application_review,
        name="application-review",
    ),
    path(
        "applications/<int:pk>/submit/",
        application_views.application_submit,
        name="application-submit",
    ),
    path(
        "applications/<int:pk>/delete/",
        application_views.application_delete,
        name="application-delete",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        application_views.application_withdraw,
        name="application-withdraw",
    ),
    path(
        "applications/<int:pk>/withdraw-consent/",
        application_views.application_withdraw_consent,
        name="application-withdraw-consent",
    ),
    path(
        "applications/<int:pk>/confirm/",
        application_views.application_confirm,
        name="application-confirm",
    ),
]
