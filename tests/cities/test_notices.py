"""The network's periodic notices: each sent once."""

import datetime

import pytest
from django.utils import timezone

from alliance.mail.models import EmailMessage
from cities.tasks import send_agreement_expiry_notices
from tests.factories import AgreementFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_expiring_agreements_warn_the_staff_inbox_once(settings):
    settings.STAFF_INBOX = ["staff@berlin-partner.example"]
    soon = timezone.localdate() + datetime.timedelta(days=30)
    hub = OrganisationFactory(is_hub_operator=True)
    agreement = AgreementFactory(hub_organisation=hub, valid_until=soon)
    AgreementFactory(
        hub_organisation=hub, valid_until=timezone.localdate() + datetime.timedelta(days=90)
    )

    first = send_agreement_expiry_notices.delay().get()
    second = send_agreement_expiry_notices.delay().get()

    assert (first, second) == (1, 0)
    message = EmailMessage.objects.get()
    assert (message.recipient, message.language) == ("staff@berlin-partner.example", "de")
    assert agreement.partner_organisation.name in message.subject
    assert message.unsubscribe_url == ""
