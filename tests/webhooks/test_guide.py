"""The README's "verify a webhook" example is real: it runs here on deliveries the portal made."""

import re
import time
import types
from pathlib import Path

import pytest

from exchanges.partners.webhooks import delivery, services
from exchanges.partners.webhooks.models import EventType
from exchanges.services import start_review
from tests.exchanges.conftest import staff_user
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def example(secret: str) -> types.ModuleType:
    text = README.read_text()
    code = re.search(r"<!-- webhook-verify-example -->\n```python\n(.*?)```", text, re.DOTALL)
    assert code, "the README has lost its webhook example"
    module = types.ModuleType("webhook_verify_example")
    exec(compile(code.group(1), str(README), "exec"), module.__dict__)  # noqa: S102
    module.SECRET = secret
    return module


def test_the_readme_verifies_real_deliveries_once_and_refuses_forgeries(partners, loopback):
    with receiver() as tlv:
        hook = services.register(
            partners.tel_aviv, url=tlv.url, events=[e.value for e in EventType]
        )
        start_review(partners.tlv_apps[0], by=staff_user())
        services.send_test(hook)
        delivery.deliver(hook.pk)
    handler = example(hook.secret)
    first, test = tlv.received
    assert handler.handle(first.body, first.headers) == 204
    assert handler.seen == {first.webhook_id}
    assert handler.handle(first.body, first.headers) == 204  # a retry: handled once
    assert handler.handle(test.body, test.headers) == 204

    tampered = first.body.replace(b"in_review", b"accepted")
    assert handler.handle(tampered, first.headers) == 401
    stale = {**first.headers, "webhook-timestamp": str(int(time.time()) - 600)}
    assert handler.handle(first.body, stale) == 401
    assert example("whsec_" + "A" * 44).handle(first.body, first.headers) == 401
