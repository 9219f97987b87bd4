import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from alliance.accounts.models import User
from alliance.mail.models import EmailMessage
from exchanges.models import Application, ExchangeProgramme, State

pytestmark = pytest.mark.django_db


def test_demo_data_has_every_state_made_through_the_services(capsys):
    call_command("demo_data")

    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert Application.objects.count() == 14
    out = capsys.readouterr().out
    emails = EmailMessage.objects.count()
    assert (
        "Demo data: 3 programmes, 10 start-ups, 14 applications (all fictitious); "
        f"{emails} emails kept in the outbox.\n"
    ) in out
    assert "  tel-aviv-global: Authorization: Api-Key demotlv1." in out
    # Made through the services: every non-draft application has its history.
    for application in Application.objects.exclude(state=State.DRAFT):
        assert application.events.last().to_state == application.state
    assert all(
        "(fictitious)" in title
        for title in ExchangeProgramme.objects.values_list("title_en", flat=True)
    )
    assert set(User.objects.values_list("email", flat=True)) <= {
        f"demo-founder-{n}@example.com" for n in range(1, 11)
    } | {"demo-manager@example.com", "demo-reviewer@example.com"}


def test_demo_data_keeps_its_emails_in_the_outbox_unsent(capsys):
    call_command("demo_data")

    statuses = set(EmailMessage.objects.values_list("status", flat=True))
    assert EmailMessage.objects.count() > 10
    assert statuses == {"queued"}
    assert mail.outbox == []
    assert re.findall(r"^Demo data: .*$", capsys.readouterr().out, re.MULTILINE) == [
        (
            "Demo data: 3 programmes, 10 start-ups, 14 applications (all fictitious); "
            f"{EmailMessage.objects.count()} emails kept in the outbox."
        )
    ]


def test_demo_data_twice_changes_nothing(capsys):
    call_command("demo_data")
    counts = (Application.objects.count(), User.objects.count())

    call_command("demo_data")

    assert (Application.objects.count(), User.objects.count()) == counts
    assert "Demo data: already present.\n" in capsys.readouterr().out


def test_demo_data_refused_in_production(settings):
    settings.DJANGO_ENV = "production"

    with pytest.raises(CommandError, match="never made in production"):
        call_command("demo_data")

    assert not Application.objects.exists()
