"""A URLconf for the error tests: the real site, plus views that exist only to fail."""

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from alliance.api.problems import site_handlers
from alliance.urls import urlpatterns as site_urlpatterns


class Echo(APIView):
    """Accepts a JSON body (the API's only parser), answers it back."""

    def post(self, request):
        return Response(request.data)


class Boom(APIView):
    def get(self, request):
        raise RuntimeError("the database password is hunter2")


def boom_plain(request):
    raise RuntimeError("the database password is hunter2")


class OncePerHour(SimpleRateThrottle):
    rate = "1/hour"

    def get_cache_key(self, request, view) -> str:
        return "throttle-test-once-per-hour"


class Limited(APIView):
    throttle_classes = [OncePerHour]

    def get(self, request):
        return Response({"ok": True})


class Founder(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    team = serializers.ListField(child=serializers.IntegerField(min_value=1))


class Invalid(APIView):
    def post(self, request):
        Founder(data=request.data).is_valid(raise_exception=True)
        return Response({})


urlpatterns = [
    path("api/test/echo/", Echo.as_view()),
    path("api/test/boom/", Boom.as_view()),
    path("api/test/boom-plain/", boom_plain),
    path("api/test/limited/", Limited.as_view()),
    path("api/test/invalid/", Invalid.as_view()),
    *site_urlpatterns,
]

_handlers = site_handlers()
handler400 = _handlers["handler400"]
handler403 = _handlers["handler403"]
handler404 = _handlers["handler404"]
handler500 = _handlers["handler500"]
