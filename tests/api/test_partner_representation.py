"""The partner list builds its rows by hand for speed; the serializers declare them (schema,
docs). Both must give the same JSON, field for field, in every language mode."""

import datetime
import json

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from exchanges.models import Application
from exchanges.partners.api.serializers import ApplicationSerializer
from exchanges.services import start_review
from tests.api.conftest import auth
from tests.exchanges.conftest import staff_user
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", [None, "de", "fr"])
def test_the_page_builder_and_the_serializer_agree(client, partners, settings, tmp_path, lang):
    settings.MEDIA_ROOT = tmp_path
    application = partners.tlv_apps[0]
    application.pitch_deck.save("deck.pdf", ContentFile(pdf_bytes()), save=True)
    application.needs = ["meetings", "visa"]
    application.save()
    start_review(application, by=staff_user())
    query = {"lang": lang} if lang else {}

    built = client.get(
        f"/api/v1/partner/applications/{application.pk}/", query, **auth(partners.tlv_raw)
    )

    request = Request(APIRequestFactory().get("/", query))
    request.auth = partners.tlv_key
    with timezone.override(datetime.UTC):  # as under /api/
        declared = ApplicationSerializer(
            Application.objects.get(pk=application.pk),
            context={"request": request, "key": partners.tlv_key},
        ).data
    # The same JSON, but for the pitch-deck link's signature (each link is signed anew).
    body = built.json()
    expected = json.loads(json.dumps(declared))
    assert (
        body["pitch_deck"]["url"]
        .split("?")[0]
        .endswith(expected["pitch_deck"]["url"].split("?")[0].removeprefix("http://testserver"))
    )
    body["pitch_deck"]["url"] = expected["pitch_deck"]["url"] = "…"
    assert body == expected
