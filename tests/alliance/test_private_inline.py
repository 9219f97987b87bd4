"""A private PDF opens in the browser's viewer with `?inline=1`; otherwise it downloads."""

import pytest
from django.core.files.base import ContentFile

from exchanges.models import State
from tests.exchanges.conftest import make_application, world  # noqa: F401 (fixture)
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db


def test_a_pitch_deck_opens_inline_on_request_and_downloads_otherwise(client, world):  # noqa: F811
    application = make_application(world, State.SUBMITTED)
    application.pitch_deck.save("deck.pdf", ContentFile(pdf_bytes()))
    client.force_login(world.owner)
    url = application.pitch_deck.url

    download = client.get(url)
    opened = client.get(f"{url}?inline=1")
    other = client.get(f"{url}?inline=yes")

    assert download["Content-Disposition"].startswith("attachment;")
    assert opened["Content-Disposition"].startswith("inline;")
    assert opened["Content-Type"] == "application/pdf"
    assert opened["X-Content-Type-Options"] == "nosniff"
    assert other["Content-Disposition"].startswith("attachment;")
    assert b"".join(opened.streaming_content) == pdf_bytes()
