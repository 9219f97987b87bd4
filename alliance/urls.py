from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from alliance import private_files
from alliance.accounts.views import ConfirmEmailView, ProfileView
from alliance.api.problems import site_handlers
from alliance.mail.notices import unsubscribe

urlpatterns = [
    path("admin/", admin.site.urls),
    path("private/<path:name>", private_files.serve, name="private-file"),
    path("api/", include("alliance.api.urls")),
]

# Errors: RFC 9457 problems under /api/, the site's pages elsewhere.
_handlers = site_handlers()
handler400 = _handlers["handler400"]
handler403 = _handlers["handler403"]
handler404 = _handlers["handler404"]
handler500 = _handlers["handler500"]

urlpatterns += i18n_patterns(
    path("", include("alliance.pages.urls")),
    path("accounts/profile/", ProfileView.as_view(), name="profile"),
    path(  # allauth's, ending at the programme the founder came from
        "accounts/confirm-email/<str:key>/",
        ConfirmEmailView.as_view(),
        name="account_confirm_email",
    ),
    path("accounts/", include("alliance.privacy.urls")),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    path("accounts/", include("allauth.urls")),
    path("", include("cities.urls")),
    path("", include("exchanges.urls")),
    path("", include("startups.urls")),
)
