from rest_framework.routers import SimpleRouter

from cities.api import views

router = SimpleRouter()
router.register("cities", views.CityViewSet, basename="api-city")
router.register("organisations", views.OrganisationViewSet, basename="api-organisation")
router.register("agreements", views.AgreementViewSet, basename="api-agreement")

urlpatterns = router.urls
