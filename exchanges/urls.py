from django.urls import path

from exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("programmes/", views.ProgrammeListView.as_view(), name="programme-list"),
    path("programmes/<slug:slug>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
]
