from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path

from alliance import health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("imprint/", views.ImprintView.as_view(), name="imprint"),
)
