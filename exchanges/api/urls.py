from rest_framework.routers import SimpleRouter

from exchanges.api import views

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet, basename="api-programme")

urlpatterns = router.urls
