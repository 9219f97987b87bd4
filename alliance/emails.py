"""The outbox moved to alliance.mail (outbox, rendering, sending)."""

# Moved; re-exported until every import uses the new path.
from alliance.mail.outbox import (  # noqa: F401
    STAFF_TIME_ZONE,
    Recipient,
    local_time,
    queue_email,
    queue_rendered,
    recipients,
    staff_inbox,
)
from alliance.mail.rendering import render  # noqa: F401
from alliance.mail.sending import claim, claim_many, due_for_sweep, send_messages  # noqa: F401
