"""Keys cannot be guessed at speed: wrong keys are limited per client address."""

import pytest

from exchanges.partners.api.throttling import FailedKeyThrottle
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db

FEED = "/api/v1/partner/applications/"


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(FailedKeyThrottle, "rate", "3/minute", raising=False)


def guess(client, address="203.0.113.7"):
    return client.get(
        FEED, HTTP_AUTHORIZATION="Api-Key abcdefgh.wrongwrongwrong", REMOTE_ADDR=address
    )


def test_after_three_wrong_keys_the_address_waits(client, partners, three_a_minute):
    assert [guess(client).status_code for _ in range(3)] == [401, 401, 401]

    refused = guess(client)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"] == "application/problem+json"
    # Even a right key waits from that address; another address is not affected.
    right = client.get(FEED, REMOTE_ADDR="203.0.113.7", **auth(partners.tlv_raw))
    assert right.status_code == 429
    elsewhere = client.get(FEED, REMOTE_ADDR="198.51.100.1", **auth(partners.tlv_raw))
    assert elsewhere.status_code == 200


def test_a_partners_own_requests_never_count(client, partners, three_a_minute):
    for _ in range(10):
        assert (
            client.get(FEED, REMOTE_ADDR="203.0.113.7", **auth(partners.tlv_raw)).status_code == 200
        )

    assert [guess(client).status_code for _ in range(3)] == [401, 401, 401]


def test_a_real_key_that_was_revoked_is_not_a_guess(client, partners, three_a_minute):
    partners.paris_key.revoked = True
    partners.paris_key.save()

    statuses = [
        client.get(FEED, REMOTE_ADDR="203.0.113.7", **auth(partners.paris_raw)).status_code
        for _ in range(5)
    ]

    assert statuses == [401] * 5
    assert client.get(FEED, REMOTE_ADDR="203.0.113.7", **auth(partners.tlv_raw)).status_code == 200
