"""The README's partner sync example is real: it runs here against a live server."""

import re
import types
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from exchanges.partners import feed
from exchanges.partners.api.throttling import PartnerKeyThrottle
from exchanges.services import start_review
from tests.exchanges.conftest import staff_user
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)

README = Path(__file__).resolve().parents[2] / "README.md"


def example(api: str, key: str) -> types.ModuleType:
    """The code block after the README's marker, as a module talking to `api` with `key`."""
    text = README.read_text()
    code = re.search(r"<!-- partner-sync-example -->\n```python\n(.*?)```", text, re.DOTALL)
    assert code, "the README has lost its sync example"
    module = types.ModuleType("partner_sync_example")
    exec(compile(code.group(1), str(README), "exec"), module.__dict__)  # noqa: S102
    module.API = api
    module.KEY = key
    return module


def test_the_readme_sync_loop_keeps_a_true_copy(live_server, partners, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with_deck = partners.tlv_apps[2]
    with_deck.pitch_deck.save("deck.pdf", ContentFile(pdf_bytes()), save=True)
    client = example(f"{live_server.url}/api/v1", partners.tlv_raw)

    copy: dict = {}
    cursor = client.sync(copy, None)
    assert sorted(item["startup"]["name"] for item in copy.values()) == [
        "Shalom 0",
        "Shalom 1",
        "Shalom 2",
    ]

    start_review(partners.tlv_apps[0], by=staff_user())
    feed.stop_sharing(partners.tlv_apps[1])
    cursor = client.sync(copy, cursor)

    assert sorted((item["startup"]["name"], item["state"]) for item in copy.values()) == [
        ("Shalom 0", "in_review"),
        ("Shalom 2", "submitted"),
    ]
    assert client.sync(copy, cursor) == cursor
    saved = tmp_path / "deck.pdf"
    assert client.download_pitch_deck(copy[with_deck.pk], str(saved)) is True
    assert saved.read_bytes().startswith(b"%PDF")


def test_the_readme_loop_waits_out_a_429(live_server, partners, monkeypatch):
    monkeypatch.setattr(PartnerKeyThrottle, "rate", "2/s", raising=False)
    client = example(f"{live_server.url}/api/v1", partners.tlv_raw)
    waits = []
    sleep = client.time.sleep

    def noted_sleep(seconds):
        waits.append(seconds)
        sleep(seconds)

    monkeypatch.setattr(client.time, "sleep", noted_sleep)

    for _ in range(4):
        copy: dict = {}
        client.sync(copy, None)

    assert len(copy) == 3
    assert waits  # the server said 429 at least once, with a Retry-After
    assert all(0 < wait <= 1 for wait in waits)
