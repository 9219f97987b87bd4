"""Every write of the exchanges, by concern; each change of state goes through one mover.

`drafts` (a team's drafts), `verbs` (one function per verb), `decisions` (staged
decisions), `seats` (expiry and backfill), `_mover` (lock, check, save, record, seam).
The public functions are importable from here: `services.submit_application(...)`.
"""

from exchanges.services.consent import withdraw_consent
from exchanges.services.decisions import (
    announce_decisions,
    clear_staged_decision,
    move_in_waitlist,
    stage_decision,
    staged_fingerprint,
    staged_seat_warning,
)
from exchanges.services.drafts import delete_draft, start_application, update_draft
from exchanges.services.reviews import (
    criteria_for,
    delete_review,
    save_review,
    unreviewed_applications,
)
from exchanges.services.seats import (
    backfill_programme,
    backfill_programmes,
    expire_acceptances,
    expire_application,
)
from exchanges.services.verbs import (
    accept_application,
    confirm_application,
    reject_application,
    shortlist_application,
    start_review,
    submit_application,
    waitlist_application,
    withdraw_application,
)

__all__ = [
    "accept_application",
    "announce_decisions",
    "backfill_programme",
    "backfill_programmes",
    "clear_staged_decision",
    "confirm_application",
    "criteria_for",
    "delete_draft",
    "delete_review",
    "expire_acceptances",
    "expire_application",
    "move_in_waitlist",
    "reject_application",
    "save_review",
    "shortlist_application",
    "stage_decision",
    "staged_fingerprint",
    "staged_seat_warning",
    "start_application",
    "start_review",
    "submit_application",
    "unreviewed_applications",
    "update_draft",
    "waitlist_application",
    "withdraw_application",
    "withdraw_consent",
]
