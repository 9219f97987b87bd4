"""The applicant's consent to share an application with the partner organisations.

Consent is given at submission (its time and wording are on the application); it can
be withdrawn at any time after that. Withdrawing it is not a change of state: the
application stays in the programme's process at Berlin Partner, but no partner
organisation sees it any more (each gets a tombstone, and `application.removed`
webhooks follow from the feed), and staff are told so they can act on it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alliance.accounts.models import User
from alliance.errors import DomainError
from alliance.mail.outbox import queue_email, staff_inbox
from exchanges.emails import application_context
from exchanges.models import Application, State
from exchanges.partners import feed
from exchanges.rules import require_member


@transaction.atomic
def withdraw_consent(application: Application, *, by: User) -> Application:
    """Stop sharing a submitted application with every partner organisation, and say so."""
    require_member(application.startup, by)
    locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    if locked.state == State.DRAFT:
        raise DomainError(
            "not_shared",
            gettext_lazy("A draft is not shared with anyone: there is nothing to withdraw."),
        )
    if locked.consent_withdrawn_at is not None:
        raise DomainError(
            "consent_withdrawn",
            gettext_lazy("Consent to share this application is already withdrawn."),
        )
    now = timezone.now()
    locked.consent_withdrawn_at = now
    locked.save(update_fields=["consent_withdrawn_at"])  # audited: the log records it
    feed.stop_sharing(locked)
    queue_email(
        "exchanges/email/consent_withdrawn",
        to=staff_inbox(),
        context=lambda recipient: application_context(application, recipient, for_team=False),
        about=locked,
    )
    application.consent_withdrawn_at = now
    return application
