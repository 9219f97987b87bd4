"""Periodic notices of the network: agreements about to end, each warned of once.

The job asks `first_time(kind, key)` in the transaction that queues its email, so running
it twice (or two beats by mistake) sends nothing twice.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from alliance.i18n import translated_value
from alliance.mail.notices import first_time
from alliance.mail.outbox import queue_email, staff_inbox
from cities.models import CooperationAgreement


def send_agreement_expiry_notices(*, today: datetime.date | None = None) -> int:
    """Warn the staff inbox of agreements that end within 60 days, once per agreement end."""
    today = today or timezone.localdate()
    sent = 0
    expiring = CooperationAgreement.objects.expiring(today).select_related(
        "partner_organisation__city"
    )
    for agreement in expiring:
        with transaction.atomic():
            if not first_time("agreement_expiring", f"{agreement.pk}:{agreement.valid_until}"):
                continue
            queue_email(
                "cities/email/agreement_expiring",
                to=staff_inbox(),
                context=lambda r, a=agreement: {
                    "partner": a.partner_organisation.name,
                    "city": translated_value(a.partner_organisation.city, "name", r.language)[0],
                    "valid_until": a.valid_until.isoformat(),
                    "days": str((a.valid_until - today).days),
                },
                about=agreement,
            )
            sent += 1
    return sent
