"""A fresh `make run` has two partners' views to try side by side with the demo keys."""

import pytest
from django.core.management import call_command

from exchanges.partners.demo import DEMO_KEYS

pytestmark = pytest.mark.django_db


def view(client, slug: str) -> list[tuple[str, str, str]]:
    response = client.get(
        "/api/v1/partner/applications/", HTTP_AUTHORIZATION=f"Api-Key {DEMO_KEYS[slug]}"
    )
    assert response.status_code == 200, response.content
    return sorted(
        (item["programme"]["slug"], item["startup"]["name"], item["state"])
        for item in response.json()["results"]
    )


def test_the_demo_keys_show_each_partner_its_own_applications(client):
    call_command("load_network")
    call_command("demo_data")

    tel_aviv = view(client, "tel-aviv-global")
    assert tel_aviv == [
        ("demo-tel-aviv-exchange", "Demo Start-up 1 (fictitious)", "submitted"),
        ("demo-tel-aviv-exchange", "Demo Start-up 2 (fictitious)", "in_review"),
        ("demo-tel-aviv-exchange", "Demo Start-up 3 (fictitious)", "shortlisted"),
    ]
    # Berlin Partner co-organises the open call: it sees the same applications.
    assert view(client, "berlin-partner") == tel_aviv
    dubai = view(client, "dubai-sme")
    assert len(dubai) == 9  # every state but the draft
    assert {programme for programme, _name, _state in dubai} == {"demo-dubai-delegation"}
