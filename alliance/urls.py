from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from alliance import private_files, views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("private/<path:name>", private_files.serve, name="private-file"),
]

urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("imprint/", views.ImprintView.as_view(), name="imprint"),
    path("accounts/profile/", views.ProfileView.as_view(), name="profile"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("accounts/", include("allauth.urls")),
    path("", include("cities.urls")),
    path("", include("exchanges.urls")),
    path("", include("startups.urls")),
)
